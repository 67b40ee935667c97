"""Write Excel 5.0/95 (BIFF5) workbooks: nothing installable here writes them any more
(xlwt and LibreOffice write BIFF8), and old offices still send them."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF

def rec(t: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", t, len(data)) + data

def biff5_book(sheets, codepage=936):
    """A BIFF5 (Excel 5.0/95) workbook stream: globals, then one substream per sheet."""
    def bof(dt):
        return rec(0x0809, struct.pack("<HHHH", 0x0500, dt, 0x0DBB, 0x07CC))
    subs = []
    for name, rows in sheets:
        body = bof(0x0010)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, str):
                    b = v.encode("gbk")
                    body += rec(0x0204, struct.pack("<HHHH", r, c, 0x0F, len(b)) + b)
                else:
                    body += rec(0x0203, struct.pack("<HHHd", r, c, 0x0F, float(v)))
        subs.append(body + rec(0x000A))
    head = bof(0x0005) + rec(0x0042, struct.pack("<H", codepage))
    bs_sizes = [4 + 6 + 1 + len(n.encode("gbk")) for n, _ in sheets]
    offset = len(head) + sum(bs_sizes) + 4
    boundsheets = b""
    for (name, _), sub in zip(sheets, subs):
        nb = name.encode("gbk")
        boundsheets += rec(0x0085, struct.pack("<IBB", offset, 0, 0) + bytes([len(nb)]) + nb)
        offset += len(sub)
    return head + boundsheets + rec(0x000A) + b"".join(subs)

def ole(stream_name, stream):
    SEC = 512
    stream = stream.ljust(max(4096, len(stream)), b"\x00")
    n = (len(stream) + SEC - 1) // SEC
    data = stream.ljust(n * SEC, b"\x00")
    fat = [FATSECT, ENDOFCHAIN] + [s + 1 for s in range(2, 2 + n - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    def entry(name, typ, start, size, child=NOSTREAM):
        raw = (name.encode("utf-16-le") + b"\x00\x00") if name else b""
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), typ, 1)
                + struct.pack("<III", NOSTREAM, NOSTREAM, child) + b"\x00" * 16 + b"\x00" * 4
                + b"\x00" * 16 + struct.pack("<III", start, size, 0))
    directory = (entry("Root Entry", 5, ENDOFCHAIN, 0, child=1) + entry(stream_name, 2, 2, len(stream))
                 + entry("", 0, 0, 0) + entry("", 0, 0, 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<I", 0) + struct.pack("<I", FREESECT) * 108)
    assert len(header) == 512, len(header)
    return header + struct.pack("<128I", *fat) + directory + data

def write_biff5(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An Excel 95 .xls with GBK text (code page 936), as a Chinese office's old Excel wrote."""
    path.write_bytes(ole("Book", biff5_book(list(sheets.items()))))
    return path


if __name__ == "__main__":
    rows = [["处分台账"], ["姓名", "问题类型", "处理方式", "处理日期"], ["张某", "违规收费", "诫勉", "2026-10-08"]]
    write_biff5(Path(sys.argv[1]), {"处分台账": rows})
