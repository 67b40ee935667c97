"""Feedback on the command line: ``check`` and ``summary`` show which file they are at while a
folder is read, as ``consolidate`` does (on a terminal only, on stderr, gone once done); a pipe
gets no progress and ``--json`` stays byte for byte what it was; ``summary`` names at most one
line per file with errors, then counts the rest.

The progress tests run the real command line in a child process whose stderr is a
pseudo-terminal (python's ``pty``), over a month of small generated workbooks
(``benchmarks/benchdata.make_month``), and read the terminal as the clerk would see it arrive.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from fixtures import write_xlsx
from taizhang.cli import main

ROOT = Path(__file__).resolve().parents[1]
UNITS = 120  # enough files that reading them outlasts a few of the bar's refreshes (10 a second)
AS_OF = ["--as-of", "2026-10-31"]
#: one reader process, so that the month takes long enough to watch on any machine
ONE_READER = ["--jobs", "1"]
#: rich's MofNCompleteColumn: ``12/40``
COUNTER = re.compile(rb"\b(\d+)/(\d+)\b")
#: the terminal's control sequences (colours, cursor): what the eye does not read
CONTROL = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import benchdata
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    folder = tmp_path_factory.mktemp("progress") / "2026-10"
    benchdata.make_month(folder, UNITS, rows=3)
    return folder


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES")}
    # rich takes FORCE_COLOR as "this is a terminal": a pipe must get no progress all the same
    env.update(FORCE_COLOR="1", TERM="xterm-256color", PYTHONIOENCODING="utf-8")
    env["TAIZHANG_LOG_DIR"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "taizhang-test-progress-log")
    return env


def _on_terminal(argv: list[str], *, stdout_too: bool) -> tuple[int, list[tuple[float, bytes]], bytes, float | None]:
    """Run ``python -m taizhang argv`` with stderr (and stdout when ``stdout_too``) on a
    pseudo-terminal 120 columns wide, else stdout on a pipe.  Gives the exit status, what the
    terminal showed as it came (time, bytes), stdout's bytes, and when stdout's first byte came."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "taizhang", *argv], cwd=ROOT, env=_env(),
                            stdin=subprocess.DEVNULL, stdout=slave if stdout_too else subprocess.PIPE,
                            stderr=slave)
    os.close(slave)
    seen: list[tuple[float, bytes]] = []
    out = bytearray()
    first_out: float | None = None
    streams = {master: "tty"} | ({} if stdout_too else {proc.stdout.fileno(): "out"})
    deadline = time.monotonic() + 240
    while streams and time.monotonic() < deadline:
        ready, _, _ = select.select(list(streams), [], [], 1.0)
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the terminal's last writer is gone
                chunk = b""
            if not chunk:
                del streams[fd]
                continue
            if streams[fd] == "tty":
                seen.append((time.monotonic(), chunk))
            else:
                first_out = first_out or time.monotonic()
                out += chunk
    code = proc.wait(timeout=60)
    os.close(master)
    if proc.stdout:
        proc.stdout.close()
    return code, seen, bytes(out), first_out


def _plain(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "taizhang", *argv], cwd=ROOT, env=_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=240, check=False)


def _first_partial_count(seen: list[tuple[float, bytes]]) -> float | None:
    """When the terminal first showed ``读取`` with a count of files short of the total."""
    for at, shown in _cumulative(seen, "读取".encode()):
        if any(0 < int(m[1]) < int(m[2]) == UNITS for m in COUNTER.finditer(shown)):
            return at
    return None


@pytest.mark.slow
@pytest.mark.parametrize("command", ["check", "summary"])
def test_progress_shows_on_a_terminal_while_reading_and_json_is_unchanged(month, command):
    argv = [command, str(month), *AS_OF, *ONE_READER, "--json"] + (["--period", "2026-10"] if command == "summary" else [])
    code, seen, out, first_out = _on_terminal(argv, stdout_too=False)
    plain = _plain(argv)
    assert code == plain.returncode == 0, plain.stderr.decode()
    partial = _first_partial_count(seen)
    assert partial is not None, f"no progress on the terminal: {b''.join(c for _, c in seen)[:500]!r}"
    assert first_out is not None and partial < first_out  # shown while reading, before the answer
    assert out == plain.stdout  # --json byte for byte as without a terminal
    data = json.loads(out)
    assert (data["summary"]["files"] if command == "check" else data["blocking_errors"]) == (
        UNITS if command == "check" else [])
    # a pipe gets no progress, no terminal codes, even with FORCE_COLOR set
    assert plain.stderr == b""


@pytest.mark.slow
def test_the_bar_is_gone_before_the_table_is_printed(month):
    code, seen, _, _ = _on_terminal(["summary", str(month), *AS_OF, *ONE_READER, "--period", "2026-10"],
                                    stdout_too=True)
    assert code == 0
    screen = CONTROL.sub(b"", b"".join(c for _, c in seen))
    partial = _first_partial_count(seen)
    table = next(at for at, _ in _cumulative(seen, "汇报段落".encode()))
    assert partial is not None and partial < table
    after = screen[screen.index("汇报段落".encode()):]
    assert "读取".encode() not in after and not COUNTER.search(after.split(b"\n", 1)[0])


def _cumulative(seen: list[tuple[float, bytes]], needle: bytes):
    shown = b""
    for at, chunk in seen:
        shown += chunk
        text = CONTROL.sub(b"", shown)
        if needle in text:
            yield at, text


@pytest.mark.slow
def test_consolidate_gives_no_progress_to_a_pipe_even_with_force_color(month, tmp_path):
    # rich alone takes FORCE_COLOR for a terminal and sent its bar's codes down the pipe
    done = _plain(["consolidate", str(month), "--period", "2026-10", "--master", str(tmp_path / "主表.xlsx"),
                   "--roster", str(month.parent / f"roster-{UNITS}.xlsx"), "--json"])
    assert done.returncode == 0, done.stderr.decode()
    assert b"\x1b" not in done.stderr and "读取".encode() not in done.stderr
    json.loads(done.stdout)


SANCTION_HEADER = ["姓名", "问题类型", "处理方式", "处理日期"]
BAD_SANCTION = ["甲", "违规收费", "罚款", "2026-10-02"]  # 罚款 is no 处理方式: one error


def test_summary_names_one_line_per_file_at_most_then_counts_the_rest(tmp_path, capsys):
    folder = tmp_path / "units"
    folder.mkdir()
    # the first file has errors on two sheets: still one line
    write_xlsx(folder / "00 二中.xlsx", {"处分台账": [SANCTION_HEADER, BAD_SANCTION],
                                        "问责台账": [SANCTION_HEADER, BAD_SANCTION, BAD_SANCTION]})
    for n in range(1, 25):
        write_xlsx(folder / f"{n:02d} 学校.xlsx", {"处分台账": [SANCTION_HEADER, BAD_SANCTION]})
    out = tmp_path / "汇总.xlsx"
    code = main(["summary", str(folder), *AS_OF, "--period", "2026-10", "-o", str(out), "--json"])
    captured = capsys.readouterr()
    assert code == 1
    blocking = json.loads(captured.out)["blocking_errors"]
    assert len(blocking) == 26  # --json still lists every sheet of every file
    notes = [line for line in captured.err.splitlines() if "注意" in line]
    assert len(notes) == 11, captured.err
    first = folder / "00 二中.xlsx"
    assert notes[0] == (f"taizhang: 注意：{first}“处分台账”、“问责台账”有 3 个错误，统计数字可能不准确"
                        f"（taizhang check 查看详情）")
    assert [n.split("注意：")[1].split("“")[0] for n in notes[1:10]] == [
        str(folder / f"{n:02d} 学校.xlsx") for n in range(1, 10)]
    assert notes[10] == (f"taizhang: 另有 15 个文件有注意事项（共 15 个错误），统计数字可能不准确，"
                         f"见汇总表 {out} 的“问题清单”（--json 的 blocking_errors 列出全部）")
    assert len(captured.err.splitlines()) == 11  # nothing else, no line per sheet

    code = main(["summary", str(folder), *AS_OF, "--period", "2026-10"])
    err = capsys.readouterr().err
    assert code == 1 and err.splitlines()[-1].endswith("，用 taizhang check 查看详情（--json 的 blocking_errors 列出全部）")
