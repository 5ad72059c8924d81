"""names_from_tarball reads only what names==0.3.0 ships: a gzip-compressed tarball of ASCII census lists; any
other file is refused with a message naming it and what is wrong. Every file here is written by the test."""

import io
import tarfile
from pathlib import Path

import pytest

from nn.data import FetchError
from nn.data.words import CENSUS_LISTS, names_from_tarball


def tarball(path: Path, text: str, mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tar:
        for member in CENSUS_LISTS:
            data = text.encode("utf-8")
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_an_uncompressed_tar_is_not_the_source_package(tmp_path: Path) -> None:
    path = tarball(tmp_path / "names.tar", "MARY 2.6 2.6 1\n", mode="w")
    with pytest.raises(FetchError) as caught:
        names_from_tarball(path)
    assert str(caught.value) == f"{path} is not the names==0.3.0 source package: not a gzip file"


def test_a_list_that_is_not_ascii_is_refused_not_skipped(tmp_path: Path) -> None:
    path = tarball(tmp_path / "names-0.3.0.tar.gz", "MARY 2.6 2.6 1\nJOSÉ 0.1 2.7 2\n")
    with pytest.raises(FetchError) as caught:
        names_from_tarball(path)
    assert str(caught.value) == (f"{path} is not the names==0.3.0 source package: 'ascii' codec can't decode byte "
                                 f"0xc3 in position 18: ordinal not in range(128)")
