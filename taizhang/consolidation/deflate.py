"""Zip parts assembled from pieces compressed once: the master's history is never recompressed.

A piece is raw deflate data ending on a byte boundary without closing the stream (a "sync
flush"), with the CRC-32 and length of what it holds.  Pieces compressed separately can be
laid end to end: deflate back-references never reach outside the piece that holds them, so
the concatenation of pieces and a final closing piece is one valid deflate stream, and its
CRC-32 is combined from the pieces' without reading their content again.  That is what lets a
consolidation write a master holding years of detail in the time its new month takes.
"""

from __future__ import annotations

import time
import zipfile
import zlib
from typing import Callable, Iterable

from taizhang.records import dataclass

#: zlib level for pieces: 6 (zlib's default) packs the detail ~40 % tighter than 1, and each
#: piece is compressed once, when its rows arrive.
LEVEL = 6


@dataclass(frozen=True)
class Piece:
    data: bytes  # raw deflate, byte-aligned, stream not closed (unless ``final``)
    crc: int
    size: int  # uncompressed length


def piece(raw: bytes, *, final: bool = False, level: int = LEVEL) -> Piece:
    """``raw`` compressed as a piece (the last piece of a part is ``final``)."""
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = co.compress(raw) + co.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return Piece(data, zlib.crc32(raw), len(raw))


# --- CRC-32 of a concatenation (zlib's crc32_combine, which Python's zlib does not expose) ---

_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    """a * b modulo the CRC-32 polynomial (reflected)."""
    m = 1 << 31
    p = 0
    while True:
        if a & m:
            p ^= b
            if (a & (m - 1)) == 0:
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _x2n_table() -> list[int]:
    table = []
    p = 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _x2n_table()


def _x2nmodp(n: int, k: int) -> int:
    """x^(n * 2^k) modulo the polynomial."""
    p = 1 << 31  # x^0
    while n:
        if n & 1:
            p = _multmodp(_X2N[k & 31], p)
        n >>= 1
        k += 1
    return p


def crc32_combine_py(crc1: int, crc2: int, len2: int) -> int:
    """The CRC-32 of A + B from crc32(A), crc32(B) and len(B)."""
    return _multmodp(_x2nmodp(len2, 3), crc1) ^ crc2


def _zlib_combine() -> Callable[[int, int, int], int] | None:
    """zlib's own crc32_combine where the system has a zlib library (Linux, macOS)."""
    try:
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("z")
        if not name:
            return None
        fn = ctypes.CDLL(name).crc32_combine
        fn.restype = ctypes.c_ulong
        fn.argtypes = [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_longlong if ctypes.sizeof(ctypes.c_long) < 8
                       else ctypes.c_long]
        if fn(zlib.crc32(b"ab"), zlib.crc32(b"cd"), 2) != zlib.crc32(b"abcd"):
            return None
        return lambda a, b, n: fn(a, b, n) & 0xFFFFFFFF
    except (OSError, AttributeError):
        return None


crc32_combine: Callable[[int, int, int], int] = _zlib_combine() or crc32_combine_py


def join(pieces: Iterable[Piece]) -> tuple[list[bytes], int, int, int]:
    """(data chunks, CRC-32, uncompressed size, compressed size) of pieces laid end to end."""
    chunks: list[bytes] = []
    crc = size = packed = 0
    for p in pieces:
        chunks.append(p.data)
        crc = crc32_combine(crc, p.crc, p.size) if size else p.crc
        size += p.size
        packed += len(p.data)
    return chunks, crc, size, packed


def write_deflated(zout: zipfile.ZipFile, name: str, pieces: Iterable[Piece]) -> None:
    """Add the part ``name`` to ``zout`` (open for writing) from already compressed pieces.

    The last piece must be ``final``.  zipfile offers no way to add compressed data as it is,
    so the entry's header is written the way ``ZipFile.writestr`` writes it, and the entry
    registered for the central directory written at close.
    """
    chunks, crc, size, packed = join(pieces)
    info = zipfile.ZipInfo(name, time.localtime(time.time())[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    info.CRC, info.file_size, info.compress_size = crc, size, packed
    zip64 = size > zipfile.ZIP64_LIMIT or packed > zipfile.ZIP64_LIMIT
    fp = zout.fp
    assert fp is not None
    info.header_offset = fp.tell()
    fp.write(info.FileHeader(zip64))
    for chunk in chunks:
        fp.write(chunk)
    zout.filelist.append(info)
    zout.NameToInfo[name] = info
    zout.start_dir = fp.tell()
    zout._didModify = True  # noqa: SLF001 - see docstring
