"""A minimal, deterministic writer of Compound File Binary files ([MS-CFB], version 3).

Enough for a ``vbaProject.bin``: storages and streams given as ``{"VBA/dir": bytes, …}``;
streams under 4096 bytes go to the mini stream, as the format requires.  No timestamps, no
CLSIDs, entries in the format's own order, so the same input always gives the same bytes.
Files up to 109 FAT sectors (about 6.8 MB) - far more than a VBA project needs.
"""

from __future__ import annotations

import struct

SECTOR, MINI_SECTOR, MINI_CUTOFF = 512, 64, 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


def _key(name: str) -> tuple[int, str]:
    """The order of siblings in the directory tree: shorter names first, then by upper case."""
    return len(name.encode("utf-16-le")) // 2, name.upper()


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        if len(name) > 31:
            raise ValueError(f"CFB names are at most 31 characters: {name!r}")
        self.name, self.kind, self.data = name, kind, data
        self.children: dict[str, _Entry] = {}
        self.left = self.right = self.child = NOSTREAM
        self.color = BLACK
        # [MS-CFB] 2.6.3: a storage's starting sector and size are zero; a stream's are set
        # when it is laid out (an empty stream keeps ENDOFCHAIN, as Windows' writer does)
        self.start = 0 if kind == STORAGE else ENDOFCHAIN
        self.size, self.index = 0, 0


def _tree(entries: list[_Entry]) -> int:
    """Link sorted siblings as a balanced binary tree, colouring a valid red-black tree
    (the deepest, incomplete level red); returns the root's index."""
    entries = sorted(entries, key=lambda e: _key(e.name))
    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = entries[mid]
        depth_of[id(node)] = depth
        node.left = build(lo, mid, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        return node.index

    root = build(0, len(entries), 0)
    if entries:
        deepest = max(depth_of.values())
        full = 2 ** deepest
        at_deepest = [e for e in entries if depth_of[id(e)] == deepest]
        for e in entries:
            e.color = RED if depth_of[id(e)] == deepest and deepest > 0 and len(at_deepest) < full else BLACK
    return root


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def write(streams: dict[str, bytes]) -> bytes:
    root = _Entry("Root Entry", ROOT)
    for path in sorted(streams):
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            node = node.children.setdefault(part, _Entry(part, STORAGE))
        node.children[parts[-1]] = _Entry(parts[-1], STREAM, streams[path])

    # number the entries: root first, then breadth-first in sibling order
    order: list[_Entry] = [root]
    i = 0
    while i < len(order):
        order += sorted(order[i].children.values(), key=lambda e: _key(e.name))
        i += 1
    for n, e in enumerate(order):
        e.index = n
    for e in order:
        if e.children:
            e.child = _tree(list(e.children.values()))

    # the mini stream
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in order:
        if e.kind != STREAM:
            continue
        e.size = len(e.data)
        if e.size == 0:
            e.start = ENDOFCHAIN
        elif e.size < MINI_CUTOFF:
            count = -(-e.size // MINI_SECTOR)
            e.start = len(minifat)
            minifat += [0] * count
            _chain(minifat, e.start, count)
            mini += e.data.ljust(count * MINI_SECTOR, b"\x00")
        else:
            big.append(e)

    def sectors(n_bytes: int) -> int:
        return -(-n_bytes // SECTOR)

    dir_sectors = sectors(len(order) * 128)
    minifat_sectors = sectors(len(minifat) * 4)
    mini_sectors = sectors(len(mini))
    big_sectors = sum(sectors(len(e.data)) for e in big)
    payload = dir_sectors + minifat_sectors + mini_sectors + big_sectors
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < payload + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("too large for a CFB without DIFAT sectors")

    total = fat_sectors + payload
    fat = [FREESECT] * (fat_sectors * (SECTOR // 4))
    for s in range(fat_sectors):
        fat[s] = FATSECT
    at = fat_sectors
    first_dir = at
    _chain(fat, at, dir_sectors)
    at += dir_sectors
    first_minifat = at if minifat_sectors else ENDOFCHAIN
    _chain(fat, at, minifat_sectors)
    at += minifat_sectors
    root.start = at if mini_sectors else ENDOFCHAIN
    root.size = len(mini)
    _chain(fat, at, mini_sectors)
    at += mini_sectors
    body = bytearray()
    for e in big:
        n = sectors(len(e.data))
        e.start = at
        _chain(fat, at, n)
        at += n
        body += e.data.ljust(n * SECTOR, b"\x00")
    assert at == total

    directory = bytearray()
    for e in order:
        name = e.name.encode("utf-16-le") + b"\x00\x00"
        directory += name.ljust(64, b"\x00")
        directory += struct.pack("<HBBIII", len(name), e.kind, e.color, e.left, e.right, e.child)
        directory += b"\x00" * 16 + struct.pack("<I", 0) + b"\x00" * 16  # clsid, state, times
        directory += struct.pack("<IQ", e.start, e.size)
    empty = b"\x00" * 64 + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM) + b"\x00" * 36 \
        + struct.pack("<IQ", 0, 0)
    while len(directory) % SECTOR:
        directory += empty

    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"), b"\x00" * 16, 0x003E, 3, 0xFFFE, 9, 6, b"\x00" * 6,
        0, fat_sectors, first_dir, 0, MINI_CUTOFF, first_minifat, minifat_sectors, ENDOFCHAIN, 0,
    ) + struct.pack("<109I", *difat)
    assert len(header) == SECTOR

    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += struct.pack("<I", FREESECT) * ((minifat_sectors * SECTOR - len(minifat_bytes)) // 4)
    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += directory
    out += minifat_bytes
    out += bytes(mini).ljust(mini_sectors * SECTOR, b"\x00")
    out += body
    assert len(out) == SECTOR * (1 + total)
    return bytes(out)
