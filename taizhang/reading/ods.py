"""An OpenDocument spreadsheet with some of its tables emptied, for the reader.

calamine reads every table of an .ods when the file is opened, each repeated row and cell
spelled out: a file of a few kilobytes asking for ninety million cells would take about
3 GB before any sheet is asked for.  The tables the size scan found too large are emptied
in a copy in memory, which the reader gets instead; the file itself is never touched.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from taizhang.reading.package import unescape
from taizhang.values import LazyPattern

#: The start tag of a table (not of its rows or columns: ``table:table-row`` and the like).
_TABLE = LazyPattern(rb"<table:table(\s[^<>]*?)?(/?)>")
_NAME = LazyPattern(rb'table:name\s*=\s*"([^"]*)"')
_END = b"</table:table>"


def without_tables(source: Path | io.BytesIO, names: set[str]) -> io.BytesIO:
    """A copy of the package ``source`` whose tables named ``names`` hold no rows."""
    with zipfile.ZipFile(source) as zf:
        content = zf.read("content.xml")
        kept: list[bytes] = []
        pos = 0
        for m in _TABLE.finditer(content):
            if m.start() < pos or m.group(2):
                continue
            name = _NAME.search(m.group(1) or b"")
            if name is None or unescape(name.group(1).decode("utf-8", "replace")) not in names:
                continue
            end = content.find(_END, m.end())
            if end < 0:
                break
            kept.append(content[pos:m.end()])
            pos = end
        kept.append(content[pos:])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as copy:
            for info in zf.infolist():  # in order, each as it was stored (the mimetype first, uncompressed)
                copy.writestr(info, b"".join(kept) if info.filename == "content.xml" else zf.read(info))
    out.seek(0)
    return out
