"""A ribbon click as the clerk waits for it: 检查台账 from its dispatch to its message.

Every workbook of the bundled month (``workbooks/samples/2026-10``) is opened in turn as the
active workbook, through a fake port that holds its sheets' values the way xlwings hands them
over (floats, datetimes, text, ``None``) and does in Python what the Excel port does (the
findings table is laid out; nothing is drawn).  In one run it times:

- **cold**: what a click cost before ``USE UDF SERVER``: xlwings' RunPython started a new
  python.exe for every click, which imported taizhang and ran the macro.  Timed as a whole
  process, from its start to its exit, the fake port unpickled inside it (start-up included;
  connecting to Excel over COM is not, as there is no Excel here);
- **warm**: the click with ``USE UDF SERVER`` (the add-in's setting): RunPython runs in the
  COM server the worksheet functions keep alive, where taizhang is already imported.  Timed
  in one interpreter: a workbook's first click there (the first click of the run is on another
  workbook, as a morning's first click would be), and its second click, best of N;
- a bare interpreter (``python -c pass``), for scale.

Goal: warm <= 0.3 s.  The figures are wall-clock seconds on a shared 2-core machine: the best
of N, with the spread (slowest / fastest) beside it.

    python benchmarks/bench_ribbon.py [--repeat 5] [--action tz_check]
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MONTH = ROOT / "workbooks" / "samples" / "2026-10"
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from benchdata import spread  # noqa: E402


class MemoryWorkbook:
    """A :class:`macros.port.WorkbookPort` over values held in memory: Excel's side of a click
    costs nothing here, so what is timed is taizhang's side alone."""

    def __init__(self, path: Path, sheets: dict[str, list[list[Any]]], visible: dict[str, bool]) -> None:
        self._path, self._sheets, self._visible = path, sheets, visible
        self.messages: list[tuple[float, str]] = []
        self.written: dict[str, Any] = {}

    @property
    def path(self) -> Path:
        return self._path

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def is_visible(self, sheet: str) -> bool:
        return self._visible.get(sheet, True)

    def values(self, sheet: str) -> list[list[Any]]:
        return self._sheets[sheet]

    def write_rows(self, sheet: str, rows: list[list[Any]], *, widths: list[int] | None = None) -> None:
        self._sheets[sheet] = [list(r) for r in rows]
        self._visible[sheet] = True

    def fill_cells(self, sheet: str, cells: dict[str, str | None]) -> None:
        self.written.setdefault("fills", {}).setdefault(sheet, {}).update(cells)

    def write_findings(self, rows: list[dict[str, Any]]) -> None:
        from taizhang.findings_sheet import FINDINGS_SHEET, findings_table

        table, fits = findings_table(rows)  # what the Excel port computes before it writes
        self.write_rows(FINDINGS_SHEET, table, widths=[round(f.width) for f in fits])

    def write_summary(self, report: Any, bureau: str, blocking_errors: list[str]) -> None:
        self.written["summary"] = (report, bureau, blocking_errors)

    def notify(self, message: str) -> None:
        self.messages.append((time.perf_counter(), message))

    def pick_folder(self) -> Path | None:
        return None

    def save(self) -> None:
        pass

    def release_for_writing(self) -> bool:
        return False

    def reload(self) -> None:
        pass


def _as_xlwings(value: Any) -> Any:
    """A calamine value as xlwings gives it: numbers float, dates datetime, blanks None."""
    if value == "" or value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def load_month(folder: Path = MONTH) -> list[tuple[Path, dict[str, list[list[Any]]], dict[str, bool]]]:
    """Each workbook of the month as (path, values by sheet, visibility by sheet)."""
    import python_calamine as pc

    books = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".xlsx", ".xls", ".xlsm"):
            continue
        book = pc.CalamineWorkbook.from_path(str(path))
        sheets, visible = {}, {}
        for meta in book.sheets_metadata:
            rows = book.get_sheet_by_name(meta.name).to_python()
            sheets[meta.name] = [[_as_xlwings(v) for v in row] for row in rows]
            visible[meta.name] = str(meta.visible).rsplit(".", 1)[-1] == "Visible"
        books.append((path, sheets, visible))
    return books


def click(action: str, book: tuple) -> tuple[float, str]:
    """Dispatch ``action`` on a fresh port over ``book``: (seconds to the message, the message)."""
    from macros.ribbon import run

    path, sheets, visible = book
    port = MemoryWorkbook(path, {k: [list(r) for r in v] for k, v in sheets.items()}, dict(visible))
    start = time.perf_counter()
    run(action, port)
    if not port.messages:
        raise SystemExit(f"{action} on {path.name} showed no message")
    at, message = port.messages[-1]
    return at - start, message


def _child(pickled: str, action: str) -> None:
    """A fresh interpreter's click, as RunPython without the UDF server runs it."""
    with open(pickled, "rb") as f:
        book = pickle.load(f)
    _seconds, message = click(action, book)
    print(message)


def cold(action: str, book: tuple, tmp: Path) -> tuple[float, str]:
    pickled = tmp / "book.pickle"
    with open(pickled, "wb") as f:
        pickle.dump(book, f)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(pickled), "--action", action],
                          capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(done.stderr)
    return seconds, done.stdout.strip()


def bare_interpreter() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    # 生成汇报 writes a Word document beside the workbook and 月度合并 asks for a folder: not timed here
    parser.add_argument("--action", default="tz_check", choices=["tz_check", "tz_summary"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.action)
        return

    books = load_month()
    print(f"{args.action} on the {len(books)} workbooks of {MONTH.relative_to(ROOT)}, best of {args.repeat}, "
          f"one run, wall-clock seconds")
    bare = [bare_interpreter() for _ in range(args.repeat)]
    print(f"bare interpreter (python -c pass): {min(bare):.3f} s (spread {spread(bare)})")

    # the morning's first click, on another workbook: imports taizhang in this interpreter
    first_seconds, _ = click(args.action, books[-1])
    print(f"first click in this interpreter (imports included, {books[-1][0].name}): {first_seconds:.3f} s")

    print(f"{'workbook':<32} {'cold (process)':>15} {'warm 1st':>9} {'warm 2nd click':>15} {'cold/warm':>10}  message")
    warm_best: list[float] = []
    warm_first: list[float] = []
    cold_best: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for book in books:
            colds = []
            for _ in range(args.repeat):
                seconds, cold_message = cold(args.action, book, Path(tmp))
                colds.append(seconds)
            first, _ = click(args.action, book)  # this workbook's first click, taizhang already imported
            warms = []
            for _ in range(args.repeat):
                seconds, message = click(args.action, book)
                warms.append(seconds)
            if message != cold_message:
                raise SystemExit(f"warm and cold clicks differ on {book[0].name}: {message!r} / {cold_message!r}")
            warm_best.append(min(warms))
            cold_best.append(min(colds))
            warm_first.append(first)
            print(f"{book[0].name:<32} {min(colds):>9.3f} ({spread(colds)}) {first:>9.3f} "
                  f"{min(warms):>8.3f} ({spread(warms)}) "
                  f"{min(colds) / min(warms):>9.1f}x  {message[:40]}")
    slowest = max(warm_best + warm_first)
    print(f"warm click: second click median {statistics.median(warm_best):.3f} s, a workbook's first click in the "
          f"warm server median {statistics.median(warm_first):.3f} s, slowest of all {slowest:.3f} s "
          f"(goal <= 0.3 s: {'met' if slowest <= 0.3 else 'NOT met'}); cold median "
          f"{statistics.median(cold_best):.3f} s")


if __name__ == "__main__":
    main()
