"""nn.data.idx: IDX files written here byte by byte with struct (not with the code under test), read back
and checked against NumPy's reading of the same bytes; every malformed file's message word for word."""

import errno
import gzip
import math
import os
import struct
import sys
import tracemalloc
from pathlib import Path

import pytest

from nn.data import IdxArray, images_and_labels, load_idx, save_idx

np = pytest.importorskip("numpy")

# dtype name -> (IDX code, struct letter, NumPy's big-endian dtype, values covering its range)
FORMATS = {
    "uint8": (0x08, "B", ">u1", [0, 1, 127, 128, 254, 255]),
    "int8": (0x09, "b", ">i1", [-128, -1, 0, 1, 126, 127]),
    "int16": (0x0B, "h", ">i2", [-32768, -256, -1, 0, 258, 32767]),
    "int32": (0x0C, "i", ">i4", [-2 ** 31, -65536, -1, 0, 16909060, 2 ** 31 - 1]),
    "float32": (0x0D, "f", ">f4", [-1.5, 0.0, 0.1, 3.4e38, -1e-30, 2.0 ** -126]),
    "float64": (0x0E, "d", ">f8", [-1.5, 0.0, 0.1, 1.7e308, -5e-324, math.pi]),
}


def header(code, shape):
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def idx_bytes(dtype, shape, values=None):
    code, letter, _, sample = FORMATS[dtype]
    n = math.prod(shape)
    values = [sample[i % len(sample)] for i in range(n)] if values is None else values
    return header(code, shape) + struct.pack(f">{n}{letter}", *values)


def write(path, raw, compress=False):
    path = Path(path)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("shape", [(6,), (2, 3), (2, 3, 4)], ids=["1d", "2d", "3d"])
@pytest.mark.parametrize("dtype", list(FORMATS))
def test_every_dtype_and_shape_reads_as_numpy_reads_the_bytes(tmp_path, dtype, shape, compress) -> None:
    raw = idx_bytes(dtype, shape)
    a = load_idx(write(tmp_path / "f", raw, compress))
    expected = np.frombuffer(raw[4 + 4 * len(shape):], dtype=FORMATS[dtype][2]).reshape(shape)
    assert isinstance(a, IdxArray)
    assert a.shape == shape and a.dtype == dtype and len(a.data) == math.prod(shape)
    assert a.data.tolist() == expected.ravel().tolist()
    assert a.tolist() == expected.tolist()
    assert a.rows() == expected.reshape(shape[0], -1).tolist()
    assert all(type(v) is (float if dtype.startswith("float") else int) for v in a.data.tolist())


def test_values_are_big_endian_whatever_the_machine(tmp_path) -> None:
    raw = header(0x0B, (2,)) + bytes([0x01, 0x02, 0xFF, 0xFE]) + b""
    assert load_idx(write(tmp_path / "f", raw)).tolist() == [0x0102, -2]
    raw = header(0x0C, (1,)) + bytes([0x01, 0x02, 0x03, 0x04])
    assert load_idx(write(tmp_path / "f", raw)).tolist() == [0x01020304]
    raw = header(0x0D, (1,)) + bytes([0x3F, 0xC0, 0, 0])
    assert load_idx(write(tmp_path / "f", raw)).tolist() == [1.5]
    raw = header(0x08, (2, 1, 1, 2)) + bytes([1, 2, 3, 4])  # 4 dimensions, big-endian sizes
    assert load_idx(write(tmp_path / "f", raw)).tolist() == [[[[1, 2]]], [[[3, 4]]]]


@pytest.mark.parametrize("dtype", list(FORMATS))
def test_on_a_big_endian_machine_the_values_keep_the_files_byte_order(tmp_path, monkeypatch, dtype) -> None:
    # A big-endian machine holds numbers as IDX stores them: the array's bytes are the file's, unswapped.
    raw = idx_bytes(dtype, (6,))
    monkeypatch.setattr(sys, "byteorder", "big")
    loaded = load_idx(write(tmp_path / "f", raw))
    assert loaded.data.tobytes() == raw[8:]
    assert save_idx(tmp_path / "g", (6,), loaded.data, dtype).read_bytes() == raw  # and are written back as held


def test_gzip_is_told_by_its_magic_not_by_the_name(tmp_path) -> None:
    raw = idx_bytes("uint8", (2, 2))
    assert load_idx(write(tmp_path / "plain-idx2-ubyte", raw, compress=True)).tolist() == [[0, 1], [127, 128]]
    assert load_idx(write(tmp_path / "raw-idx2-ubyte.gz", raw)).tolist() == [[0, 1], [127, 128]]
    assert load_idx(str(tmp_path / "raw-idx2-ubyte.gz")).shape == (2, 2)  # str or PathLike
    several_members = gzip.compress(raw[:5]) + gzip.compress(raw[5:])  # as `cat a.gz b.gz` makes
    assert load_idx(write(tmp_path / "cat.gz", several_members)).tolist() == [[0, 1], [127, 128]]


def test_empty_dimensions_give_no_values(tmp_path) -> None:
    a = load_idx(write(tmp_path / "f", header(0x08, (0, 28, 28))))
    assert a.shape == (0, 28, 28) and a.rows() == [] and a.tolist() == [] and len(a.data) == 0
    b = load_idx(write(tmp_path / "g", header(0x0C, (3, 0))))
    assert b.rows() == [[], [], []] and b.tolist() == [[], [], []]


def test_a_large_image_file_reads_as_numpy_reads_it(tmp_path) -> None:
    pixels = bytes((i * 7 + i // 784) % 256 for i in range(300 * 784))
    raw = header(0x08, (300, 28, 28)) + pixels
    a = load_idx(write(tmp_path / "images.gz", raw, compress=True))
    assert a.rows() == np.frombuffer(pixels, dtype=">u1").reshape(300, 784).tolist()


def bad(tmp_path, raw, name="bad-idx"):
    path = write(tmp_path / name, raw)
    with pytest.raises(ValueError) as e:
        load_idx(path)
    return str(e.value).replace(str(path), "PATH")


START = "an IDX file starts with 4 bytes (0x00 0x00, a dtype code, the number of dimensions)"


@pytest.mark.parametrize("raw, message", [
    (b"", f"PATH: truncated header: {START}, found 0"),
    (b"\x00\x00\x08", f"PATH: truncated header: {START}, found 3"),
    (b"<!DOCTYPE html><html>", "PATH: not an IDX file: it should start with two zero bytes, found 0x3c 0x21 "
                               "(the file starts b'<!DOCTYP')"),
    (b"\x89PNG\r\n\x1a\n\x00", "PATH: not an IDX file: it should start with two zero bytes, found 0x89 0x50 "
                               "(the file starts b'\\x89PNG\\r\\n\\x1a\\n')"),
    (b"\x00\x01\x08\x01", "PATH: not an IDX file: it should start with two zero bytes, found 0x00 0x01 "
                          "(the file starts b'\\x00\\x01\\x08\\x01')"),
    (b"\x08\x03\x00\x00\x00\x00", "PATH: not an IDX file: it should start with two zero bytes, found 0x08 0x03 "
                                  "(the file starts b'\\x08\\x03\\x00\\x00\\x00\\x00')"),
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "PATH: not an IDX file: it should start with two zero bytes, "
     "found 0x01 0x00 (the file starts b'\\x01\\x00\\x08\\x01\\x00\\x00\\x00\\x01')"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00", "PATH: unknown IDX dtype code 0x0a (the third byte); known codes: "
     "0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64"),
    (b"\x00\x00\x00\x01", "PATH: unknown IDX dtype code 0x00 (the third byte); known codes: "
     "0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64"),
    (b"\x00\x00\x08\x00", "PATH: the header gives 0 dimensions (the fourth byte); an IDX file has at least 1"),
    (b"\x00\x00\x08\x00\x05", "PATH: the header gives 0 dimensions (the fourth byte); an IDX file has at least 1"),
    (b"\x00\x00\x08\x03" + struct.pack(">II", 2, 2),
     "PATH: truncated header: 3 dimensions need 16 header bytes, found 12"),
    (b"\x00\x00\x08\x01\x00\x00", "PATH: truncated header: 1 dimension needs 8 header bytes, found 6"),
    (header(0x08, (2, 3)) + bytes(5), "PATH: truncated data: shape (2, 3) of uint8 needs 6 bytes after the 12-byte "
                                      "header, found 5"),
    (header(0x08, (60000, 28, 28)), "PATH: truncated data: shape (60000, 28, 28) of uint8 needs 47040000 bytes "
                                    "after the 16-byte header, found 0"),
    (header(0x0B, (2,)) + bytes(3), "PATH: truncated data: shape (2,) of int16 needs 4 bytes after the 8-byte "
                                    "header, found 3"),
    (header(0x0E, (1,)) + bytes(7), "PATH: truncated data: shape (1,) of float64 needs 8 bytes after the 8-byte "
                                    "header, found 7"),
    (header(0x08, (2 ** 32 - 1, 2 ** 32 - 1)), "PATH: truncated data: shape (4294967295, 4294967295) of uint8 needs "
     "18446744065119617025 bytes after the 12-byte header, found 0"),
    (header(0x08, (2, 3)) + bytes(7), "PATH: 1 trailing byte after the data: shape (2, 3) of uint8 needs 6 bytes "
                                      "after the 12-byte header, found 7"),
    (header(0x08, (2, 3)) + bytes(8), "PATH: 2 trailing bytes after the data: shape (2, 3) of uint8 needs 6 bytes "
                                      "after the 12-byte header, found 8"),
    (header(0x0C, (1,)) + bytes(12), "PATH: 8 trailing bytes after the data: shape (1,) of int32 needs 4 bytes "
                                     "after the 8-byte header, found 12"),
    (header(0x08, (0,)) + b"\n", "PATH: 1 trailing byte after the data: shape (0,) of uint8 needs 0 bytes "
                                 "after the 8-byte header, found 1"),
], ids=["empty", "3 bytes", "html", "png", "second byte", "idx magic as an int", "first byte only", "code 0x0a",
        "code 0x00", "0 dims", "0 dims and more", "3 dims 2 sizes", "half a size", "data short", "no data",
        "int16 short", "float64 short", "huge sizes", "one trailing", "two trailing", "int32 trailing", "empty then a newline"])
def test_each_malformed_file_says_what_is_wrong(tmp_path, raw, message) -> None:
    assert bad(tmp_path, raw) == message
    assert bad(tmp_path, gzip.compress(raw), "bad.gz") == message  # the same inside gzip, naming the .gz file


def test_a_corrupt_gzip_stream_says_so(tmp_path) -> None:
    good = gzip.compress(idx_bytes("uint8", (4, 4)), mtime=0)
    assert bad(tmp_path, good[:len(good) // 2]) == ("PATH: corrupt gzip stream (Compressed file ended before the "
                                                    "end-of-stream marker was reached)")
    assert bad(tmp_path, b"\x1f\x8b") == ("PATH: corrupt gzip stream (Compressed file ended before the "
                                          "end-of-stream marker was reached)")
    crc = good[:-8] + bytes([good[-8] ^ 1]) + good[-7:]
    assert bad(tmp_path, crc).startswith("PATH: corrupt gzip stream (CRC check failed")
    assert bad(tmp_path, good[:10] + b"\xff\xff\xff" + good[13:]).startswith(
        "PATH: corrupt gzip stream (Error -3 while decompressing data: ")
    assert bad(tmp_path, b"\x1f\x8b\x07" + good[3:]) == "PATH: corrupt gzip stream (Unknown compression method)"
    assert bad(tmp_path, good + b"xyz").startswith("PATH: corrupt gzip stream (Not a gzipped file")


def test_a_missing_file_or_a_directory_is_named(tmp_path) -> None:
    missing = tmp_path / "nowhere" / "train-images-idx3-ubyte"
    with pytest.raises(FileNotFoundError) as e:
        load_idx(missing)
    assert e.value.filename == str(missing) and str(missing) in str(e.value)
    with pytest.raises(IsADirectoryError) as e:
        load_idx(tmp_path)
    assert e.value.filename == str(tmp_path) and e.value.errno == errno.EISDIR
    assert str(e.value).endswith(f"Is a directory, not an IDX file: {str(tmp_path)!r}")


def test_save_idx_writes_what_numpy_and_struct_read(tmp_path) -> None:
    for dtype, (code, letter, big, sample) in FORMATS.items():
        for shape in [(6,), (3, 2), (1, 2, 3)]:
            path = save_idx(tmp_path / f"{dtype}-{len(shape)}", shape, sample, dtype)
            raw = path.read_bytes()
            assert raw == idx_bytes(dtype, shape, sample)
            assert np.frombuffer(raw[4 + 4 * len(shape):], dtype=big).tolist() == [
                np.frombuffer(struct.pack(f">{letter}", v), dtype=big)[0].item() for v in sample]
    gz = save_idx(tmp_path / "a.gz", (2, 2), bytes([1, 2, 3, 4]))
    assert gz.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(gz.read_bytes()) == idx_bytes("uint8", (2, 2), [1, 2, 3, 4])
    again = save_idx(tmp_path / "b.gz", (2, 2), [1, 2, 3, 4])
    assert again.read_bytes() == gz.read_bytes()  # no timestamp inside: the same data, the same bytes
    assert save_idx(tmp_path / "new" / "folder" / "c", (1,), [5]) == tmp_path / "new" / "folder" / "c"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporaries left


SHAPE = "save_idx: shape must be 1 to 255 sizes, each 0 <= n < 2**32, got"
FIT = "save_idx: a value does not fit"


@pytest.mark.parametrize("call, message", [
    (lambda p: save_idx(p, (2,), [1, 2], dtype="uint16"),
     "save_idx: unknown dtype 'uint16'; known: uint8, int8, int16, int32, float32, float64"),
    (lambda p: save_idx(p, (), []), f"{SHAPE} ()"),
    (lambda p: save_idx(p, (2, -1), []), f"{SHAPE} (2, -1)"),
    (lambda p: save_idx(p, (2 ** 32,), []), f"{SHAPE} (4294967296,)"),
    (lambda p: save_idx(p, (2.0,), [1, 2]), f"{SHAPE} (2.0,)"),
    (lambda p: save_idx(p, (1,) * 256, [1]), f"{SHAPE} {(1,) * 256}"),
    (lambda p: save_idx(p, (2, 2), [1, 2, 3]), "save_idx: shape (2, 2) holds 4 values, got 3"),
    (lambda p: save_idx(p, (1,), [256]), f"{FIT} uint8: unsigned byte integer is greater than maximum"),
    (lambda p: save_idx(p, (1,), [-129], "int8"), f"{FIT} int8: signed char is less than minimum"),
    (lambda p: save_idx(p, (1,), [0.5]), f"{FIT} uint8: 'float' object cannot be interpreted as an integer"),
])
def test_save_idx_refuses_what_it_cannot_write(tmp_path, call, message) -> None:
    with pytest.raises(ValueError) as e:
        call(tmp_path / "f")
    assert str(e.value) == message
    assert not (tmp_path / "f").exists()


def test_images_and_labels_scale_the_pixels_as_numpy_does(tmp_path) -> None:
    pixels = bytes(range(256)) * 3 + bytes(range(0, 256, 8))  # 800 bytes: 8 images of 10 x 10
    images = write(tmp_path / "images", header(0x08, (8, 10, 10)) + pixels, compress=True)
    labels = write(tmp_path / "labels", header(0x08, (8,)) + bytes([3, 1, 4, 1, 5, 9, 2, 6]))
    X, y = images_and_labels(images, labels)
    assert X == (np.frombuffer(pixels, dtype=">u1").reshape(8, 100) * (1 / 255)).tolist()
    assert y == [3, 1, 4, 1, 5, 9, 2, 6] and all(type(t) is int for t in y)
    assert all(type(v) is float for row in X for v in row)
    assert min(map(min, X)) == 0.0 and max(map(max, X)) == 1.0
    assert images_and_labels(images, labels, limit=3) == (X[:3], y[:3])
    assert images_and_labels(images, labels, limit=0) == ([], [])
    assert images_and_labels(images, labels, limit=100) == (X, y)
    X1, _ = images_and_labels(images, labels, scale=1)
    assert X1[0][:3] == [0.0, 1.0, 2.0] and type(X1[0][1]) is float
    Xh, _ = images_and_labels(str(images), str(labels), scale=0.5)
    assert Xh[2][:2] == [100.0, 100.5]


def test_uint8_pixels_cost_a_reference_each_not_a_float_each(tmp_path) -> None:
    # The rows share 256 floats, so a pixel costs a list slot (8 bytes), not a float object of its own (24 more):
    # what lets 60,000 MNIST images fit in memory.
    n = 100
    write(tmp_path / "images", header(0x08, (n, 28, 28)) + bytes(i % 251 for i in range(n * 784)))
    write(tmp_path / "labels", header(0x08, (n,)) + bytes(n))
    tracemalloc.start()
    try:
        X, _ = images_and_labels(tmp_path / "images", tmp_path / "labels")
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(X) == n and X[1][0] == (784 % 251) * (1 / 255)
    assert held < 16 * n * 784  # about 9 bytes a pixel here; a float object each would be over 32


def test_images_of_other_dtypes_and_1d_images(tmp_path) -> None:
    labels = write(tmp_path / "labels", header(0x09, (2,)) + struct.pack(">2b", -1, 7))
    images = write(tmp_path / "images", idx_bytes("float32", (2, 2), [0.5, -1.5, 2.0, 0.25]))
    assert images_and_labels(images, labels, scale=2) == ([[1.0, -3.0], [4.0, 0.5]], [-1, 7])
    images = write(tmp_path / "images", idx_bytes("int16", (2,), [-300, 300]))
    assert images_and_labels(images, labels, scale=0.5) == ([[-150.0], [150.0]], [-1, 7])


def test_images_and_labels_that_disagree_say_so(tmp_path) -> None:
    images = write(tmp_path / "train-images", header(0x08, (3, 2, 2)) + bytes(12))
    labels = write(tmp_path / "train-labels", header(0x08, (2,)) + bytes(2))
    with pytest.raises(ValueError) as e:
        images_and_labels(images, labels)
    assert str(e.value) == f"{images} has 3 images but {labels} has 2 labels"
    square = write(tmp_path / "square", header(0x08, (3, 1)) + bytes(3))
    with pytest.raises(ValueError) as e:
        images_and_labels(images, square)
    assert str(e.value) == f"{square}: labels should be 1-d (one per image), found shape (3, 1)"
    floats = write(tmp_path / "floats", idx_bytes("float64", (3,)))
    with pytest.raises(ValueError) as e:
        images_and_labels(images, floats)
    assert str(e.value) == f"{floats}: labels should be integers, found float64"
    for limit in (-1, 1.0, True, "3"):
        with pytest.raises(ValueError) as e:
            images_and_labels(images, labels, limit=limit)
        assert str(e.value) == f"limit must be a whole number >= 0 or None, got {limit!r}"
    with pytest.raises(ValueError) as e:  # a bad labels file is named as such
        images_and_labels(images, write(tmp_path / "empty-labels", b""))
    assert str(e.value).startswith(f"{tmp_path / 'empty-labels'}: truncated header")


def test_the_api_is_reexported_from_nn_data() -> None:
    import nn
    from nn import data
    assert data.load_idx is load_idx and nn.data.images_and_labels is images_and_labels
    assert os.path.basename(data.__file__) == "__init__.py"
    for name in data.__all__:
        assert getattr(data, name) is not None


def test_save_idx_at_the_edges_of_what_the_format_holds(tmp_path) -> None:
    import gzip as gz
    import struct as st

    deep = save_idx(tmp_path / "deep-idx", (1,) * 255, [7])  # 255 dimensions: the most one byte can count
    assert deep.read_bytes()[:4] == bytes([0, 0, 8, 255]) and load_idx(deep).shape == (1,) * 255
    empty = save_idx(tmp_path / "empty-idx", (0, 28, 28), [])  # a size of 0 is allowed
    assert empty.read_bytes() == bytes([0, 0, 8, 3]) + st.pack(">III", 0, 28, 28)
    shorts = save_idx(tmp_path / "shorts-idx", (4,), b"\x01\x02\x03\x04", dtype="int16")  # bytes, not uint8:
    assert load_idx(shorts).tolist() == [1, 2, 3, 4]  # each byte is one value (not half of an int16)
    packed = save_idx(tmp_path / "labels-idx1-ubyte.gz", (3,), [7, 2, 1])
    header = packed.read_bytes()[:10]
    assert header[:3] == b"\x1f\x8b\x08" and header[4:8] == b"\x00\x00\x00\x00"  # gzip's mtime field is 0
    assert gz.decompress(packed.read_bytes()) == bytes([0, 0, 8, 1]) + st.pack(">I", 3) + bytes([7, 2, 1])
