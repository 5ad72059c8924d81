"""``np.asarray(load_idx(path))`` is the file's array: checked against arrays NumPy builds and reads on its own."""

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from nn.data import load_idx, save_idx

np = pytest.importorskip("numpy")
ROOT = Path(__file__).resolve().parents[2]


def write_by_hand(path: Path, a: "np.ndarray", code: int) -> Path:
    """An IDX file written with NumPy's own big-endian bytes, not by save_idx."""
    big = a.astype(a.dtype.newbyteorder(">"))
    path.write_bytes(bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape) + big.tobytes())
    return path


def test_an_image_file_is_the_n_28_28_uint8_array(tmp_path: Path) -> None:
    images = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    got = np.asarray(load_idx(write_by_hand(tmp_path / "images-idx3-ubyte", images, 0x08)))
    assert got.shape == (5, 28, 28) and got.dtype == np.uint8
    assert np.array_equal(got, images)


@pytest.mark.parametrize("dtype, code", [("int8", 0x09), ("int16", 0x0B), ("int32", 0x0C), ("float32", 0x0D),
                                         ("float64", 0x0E)])
def test_every_idx_dtype_comes_out_with_its_values(tmp_path: Path, dtype: str, code: int) -> None:
    rng = np.random.default_rng(1)
    a = (rng.standard_normal((3, 4, 2)) * 1000).astype(dtype)
    got = np.asarray(load_idx(write_by_hand(tmp_path / "f", a, code)))
    assert got.dtype == np.dtype(dtype) and got.shape == (3, 4, 2)
    assert np.array_equal(got, a)


def test_a_gzipped_file_written_by_save_idx_reads_back(tmp_path: Path) -> None:
    labels = np.arange(10, dtype=np.uint8)[::-1]
    path = save_idx(tmp_path / "labels-idx1-ubyte.gz", labels.shape, labels.tolist())
    assert np.array_equal(np.asarray(load_idx(path)), labels)


def test_dtype_converts_and_copy_follows_numpy_2(tmp_path: Path) -> None:
    images = np.random.default_rng(2).integers(0, 256, size=(2, 3, 3), dtype=np.uint8)
    idx = load_idx(write_by_hand(tmp_path / "i", images, 0x08))
    as_float = np.asarray(idx, dtype=np.float64)
    assert as_float.dtype == np.float64 and np.array_equal(as_float, images.astype(np.float64))
    copied = np.array(idx, copy=True)
    copied[0, 0, 0] ^= 0xFF
    assert np.array_equal(np.asarray(idx), images)  # the copy is the caller's own
    first, second = np.asarray(idx, copy=False), np.asarray(idx)
    assert np.shares_memory(first, second) and np.array_equal(first, images)  # no copy when none is needed
    with pytest.raises(ValueError, match="^IdxArray of uint8: a float32 array of it needs a copy, but copy=False"):
        np.asarray(idx, dtype=np.float32, copy=False)
    converted = idx.__array__(np.float32)  # the protocol itself converts (NumPy would cast a wrong dtype again)
    assert converted.dtype == np.float32 and np.array_equal(converted, images.astype(np.float32))
    assert np.asarray(idx, dtype=np.uint8, copy=False).dtype == np.uint8


def test_an_empty_file_gives_an_empty_array(tmp_path: Path) -> None:
    got = np.asarray(load_idx(save_idx(tmp_path / "e", (0, 28, 28), [])))
    assert got.shape == (0, 28, 28) and got.dtype == np.uint8


def test_the_loader_needs_no_numpy(tmp_path: Path) -> None:
    path = save_idx(tmp_path / "small", (2, 2), [1, 2, 3, 4])
    script = ("import sys; sys.modules['numpy'] = None\n"  # import numpy now fails
              "from nn.data import load_idx\n"
              f"print(load_idx({str(path)!r}).tolist())")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[[1, 2], [3, 4]]"


def test_the_view_is_read_only_and_np_array_gives_a_writable_copy() -> None:
    np = pytest.importorskip("numpy")
    import array

    from nn.data.idx import IdxArray

    a = IdxArray((2, 2), "int16", array.array("h", [1, -2, 300, 4]))
    view = np.asarray(a)
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 9
    mine = np.array(a)
    mine[0, 0] = 9
    assert (mine[0, 0], a.data[0]) == (9, 1)  # the IdxArray is unchanged
