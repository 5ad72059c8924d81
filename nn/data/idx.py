"""IDX files, the format MNIST and Fashion-MNIST ship in, read and written with the standard library only.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the number of dimensions), then
each dimension's size as a big-endian 32-bit integer, then the values, big-endian, the last index
varying fastest. The whole file may be gzip-compressed: ``load_idx`` tells by its first two bytes
(0x1f 0x8b), not by its name.
"""

from __future__ import annotations

import array
import errno
import gzip
import math
import os
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, List, Optional, Tuple, Union

from engine.files import write_atomic

PathLike = Union[str, "os.PathLike[str]"]

_INT32 = "i" if array.array("i").itemsize == 4 else "l"
# dtype code -> (name, array typecode); the codes are the IDX format's, the names NumPy's.
DTYPES = {0x08: ("uint8", "B"), 0x09: ("int8", "b"), 0x0B: ("int16", "h"), 0x0C: ("int32", _INT32),
          0x0D: ("float32", "f"), 0x0E: ("float64", "d")}
_CODES = {name: code for code, (name, _) in DTYPES.items()}
_KNOWN = ", ".join(f"0x{code:02x} {name}" for code, (name, _) in DTYPES.items())


@dataclass(frozen=True)
class IdxArray:
    """The contents of an IDX file: its ``shape``, its ``dtype`` (``"uint8"``, ``"int8"``, ``"int16"``,
    ``"int32"``, ``"float32"`` or ``"float64"``) and its values, flat, in ``data`` (an ``array.array``).
    ``np.asarray(a)`` gives the NumPy array of that shape and dtype (NumPy is needed only for that).

    >>> a = IdxArray((2, 3), "uint8", array.array("B", [1, 2, 3, 4, 5, 6]))
    >>> a.rows()
    [[1, 2, 3], [4, 5, 6]]
    """

    shape: Tuple[int, ...]
    dtype: str
    data: array.array

    def rows(self) -> List[list]:
        """One flat list per index of the first dimension: an image file of shape (n, 28, 28) gives n
        lists of 784 numbers; a 1-d file gives lists of one number.

        >>> IdxArray((2, 2, 2), "uint8", array.array("B", range(8))).rows()
        [[0, 1, 2, 3], [4, 5, 6, 7]]
        """
        size = math.prod(self.shape[1:])
        return [self.data[i * size:(i + 1) * size].tolist() for i in range(self.shape[0])]

    def tolist(self) -> list:
        """The values as nested lists of the array's shape, as NumPy's ``tolist``.

        >>> IdxArray((2, 2, 2), "uint8", array.array("B", range(8))).tolist()
        [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
        >>> IdxArray((3,), "int8", array.array("b", [-1, 0, 1])).tolist()
        [-1, 0, 1]
        """
        def nest(start: int, dims: Tuple[int, ...]) -> list:
            if len(dims) == 1:
                return self.data[start:start + dims[0]].tolist()
            step = math.prod(dims[1:])
            return [nest(start + i * step, dims[1:]) for i in range(dims[0])]
        return nest(0, self.shape)

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> Any:
        """NumPy's array protocol: ``np.asarray(a)`` is the (n, 28, 28) uint8 array of an image file, a read-only
        view of ``data`` (no copy; ``np.array(a)`` copies, writable); ``dtype`` converts (a copy), and ``copy`` is NumPy 2's: True always copies, False
        refuses to (ValueError when a conversion would need one).

        >>> import numpy as np
        >>> a = IdxArray((2, 2), "int16", array.array("h", [1, -2, 300, 4]))
        >>> np.asarray(a)
        array([[  1,  -2],
               [300,   4]], dtype=int16)
        >>> np.asarray(a, dtype=float).dtype
        dtype('float64')
        """
        import numpy as np  # here only: the loader itself needs no NumPy

        # data is in the machine's byte order already (load_idx swapped it), so the buffer is the array.
        view = np.frombuffer(self.data, dtype=self.dtype).reshape(self.shape)
        view.flags.writeable = False  # the IdxArray is frozen: writing through a view would change it behind its back
        if dtype is not None and np.dtype(dtype) != view.dtype:
            if copy is False:
                raise ValueError(f"IdxArray of {self.dtype}: a {np.dtype(dtype)} array of it needs a copy, "
                                 f"but copy=False was asked for")
            return view.astype(dtype)
        return view.copy() if copy else view


def load_idx(path: PathLike) -> IdxArray:
    """Read an IDX file, gzip-compressed or not. A file that is not a whole, well-formed IDX file
    raises ``ValueError`` naming the file and what is wrong with it.

    >>> import os, struct, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny-idx2-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(bytes([0, 0, 0x08, 2]) + struct.pack(">II", 2, 3) + bytes([0, 1, 2, 253, 254, 255]))
    >>> a = load_idx(path)
    >>> a.shape, a.dtype, a.rows()
    ((2, 3), 'uint8', [[0, 1, 2], [253, 254, 255]])
    """
    name = os.fspath(path)
    if os.path.isdir(name):
        raise IsADirectoryError(errno.EISDIR, "Is a directory, not an IDX file", name)
    with open(name, "rb") as f:  # a missing file: FileNotFoundError naming it
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{name}: corrupt gzip stream ({e})") from None
    return _parse(raw, name)


def _parse(raw: bytes, name: str) -> IdxArray:
    if len(raw) < 4:
        raise ValueError(f"{name}: truncated header: an IDX file starts with 4 bytes (0x00 0x00, a dtype code, "
                         f"the number of dimensions), found {len(raw)}")
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{name}: not an IDX file: it should start with two zero bytes, "
                         f"found 0x{raw[0]:02x} 0x{raw[1]:02x} (the file starts {raw[:8]!r})")
    code, ndim = raw[2], raw[3]
    if code not in DTYPES:
        raise ValueError(f"{name}: unknown IDX dtype code 0x{code:02x} (the third byte); known codes: {_KNOWN}")
    if ndim == 0:
        raise ValueError(f"{name}: the header gives 0 dimensions (the fourth byte); an IDX file has at least 1")
    header = 4 + 4 * ndim
    if len(raw) < header:
        dims = "1 dimension needs" if ndim == 1 else f"{ndim} dimensions need"
        raise ValueError(f"{name}: truncated header: {dims} {header} header bytes, found {len(raw)}")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype, typecode = DTYPES[code]
    data = array.array(typecode)
    expected, found = math.prod(shape) * data.itemsize, len(raw) - header
    if found != expected:
        extra = found - expected
        what = "truncated data" if extra < 0 else f"{extra} trailing byte{'s' if extra > 1 else ''} after the data"
        raise ValueError(f"{name}: {what}: shape {shape} of {dtype} needs {expected} bytes after the "
                         f"{header}-byte header, found {found}")
    data.frombytes(memoryview(raw)[header:])
    if data.itemsize > 1 and sys.byteorder == "little":
        data.byteswap()
    return IdxArray(shape, dtype, data)


def save_idx(path: PathLike, shape: Tuple[int, ...], values: Union[Iterable[float], bytes], dtype: str = "uint8"
             ) -> Path:
    """Write ``values`` (flat, the last index varying fastest) as an IDX file of ``shape`` and ``dtype``,
    gzip-compressed when the name ends in ``.gz``; atomically (a crash leaves the old file or the new one).

    >>> import os, tempfile
    >>> path = save_idx(os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte.gz"), (3,), [7, 2, 1])
    >>> load_idx(path).tolist()
    [7, 2, 1]
    """
    if dtype not in _CODES:
        raise ValueError(f"save_idx: unknown dtype {dtype!r}; known: {', '.join(_CODES)}")
    shape = tuple(shape)
    if not 1 <= len(shape) <= 255 or not all(isinstance(n, int) and 0 <= n < 2 ** 32 for n in shape):
        raise ValueError(f"save_idx: shape must be 1 to 255 sizes, each 0 <= n < 2**32, got {shape!r}")
    data = array.array(DTYPES[_CODES[dtype]][1])
    try:
        if isinstance(values, (bytes, bytearray)) and dtype == "uint8":
            data.frombytes(values)
        else:
            data.extend(values)
    except (OverflowError, TypeError) as e:
        raise ValueError(f"save_idx: a value does not fit {dtype}: {e}") from None
    if len(data) != math.prod(shape):
        raise ValueError(f"save_idx: shape {shape} holds {math.prod(shape)} values, got {len(data)}")
    if data.itemsize > 1 and sys.byteorder == "little":
        data.byteswap()
    payload = bytes([0, 0, _CODES[dtype], len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + data.tobytes()
    if os.fspath(path).endswith(".gz"):
        payload = gzip.compress(payload, compresslevel=6, mtime=0)  # mtime 0: the same data, the same bytes
    return write_atomic(path, payload)


def images_and_labels(images_path: PathLike, labels_path: PathLike, scale: float = 1 / 255,
                      limit: Optional[int] = None) -> Tuple[List[List[float]], List[int]]:
    """Read an images file and its labels file as ``(X, y)``: one flat row of floats per image (each
    value times ``scale``: bytes 0..255 become 0.0..1.0), one int label per image. ``limit`` keeps the
    first ``limit`` images only (the whole files are still read and checked).

    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = save_idx(os.path.join(d, "images"), (2, 2, 2), [0, 255, 51, 0, 0, 0, 102, 0])
    >>> _ = save_idx(os.path.join(d, "labels"), (2,), [3, 8])
    >>> images_and_labels(os.path.join(d, "images"), os.path.join(d, "labels"))
    ([[0.0, 1.0, 0.2, 0.0], [0.0, 0.0, 0.4, 0.0]], [3, 8])
    """
    _check_limit(limit)
    images, labels = load_idx(images_path), load_idx(labels_path)
    images_name, labels_name = os.fspath(images_path), os.fspath(labels_path)
    if len(labels.shape) != 1:
        raise ValueError(f"{labels_name}: labels should be 1-d (one per image), found shape {labels.shape}")
    if labels.dtype.startswith("float"):
        raise ValueError(f"{labels_name}: labels should be integers, found {labels.dtype}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images_name} has {images.shape[0]} images but {labels_name} has {labels.shape[0]} labels")
    n = images.shape[0] if limit is None else min(limit, images.shape[0])
    size = math.prod(images.shape[1:])
    if images.dtype == "uint8":
        table = [float(v) * scale for v in range(256)]  # 256 floats shared by every row: 60,000 images fit in memory
        scaled = table.__getitem__
    else:
        def scaled(v: float) -> float:
            return float(v) * scale
    X = [list(map(scaled, images.data[i * size:(i + 1) * size])) for i in range(n)]
    return X, labels.data[:n].tolist()


def _check_limit(limit: Optional[int]) -> None:
    """Refuse a ``limit`` that is neither None nor a whole number >= 0.

    >>> _check_limit(-1)
    Traceback (most recent call last):
    ValueError: limit must be a whole number >= 0 or None, got -1
    """
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValueError(f"limit must be a whole number >= 0 or None, got {limit!r}")
