"""The readers' own public test files (calamine, python-calamine, xlrd, Apache POI, SheetJS):
each gets exactly its expected outcome, and ``taizhang check`` over the whole folder at once
lists every file, with no traceback, in bounded time and memory.

The files and where they come from: tests/corpus/public/NOTICE; the expected outcome of each:
tests/corpus/public/EXPECTED.tsv (``read``, ``read+<code>`` for a workbook read with that
finding about a sheet, or the refusal's code).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taizhang.reading.book import LOOKALIKE_SUFFIXES, WORKBOOK_SUFFIXES

#: Slow as a whole: the public corpus is read whole once for the module (about 40 s here).
pytestmark = pytest.mark.slow

CORPUS = Path(__file__).parent / "corpus" / "public"
EXPECTED = {
    line.split("\t")[0]: line.split("\t")[1]
    for line in (CORPUS / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines()[1:] if line.strip()
}
#: Latin words a Chinese message may contain: product and format names.
NAMES = {"Excel", "Office", "Word", "PowerPoint", "Visio", "Outlook", "Publisher", "LibreOffice", "OpenDocument", "XML",
         "CSV", "PDF", "WPS", "Numbers", "RC4", "CryptoAPI", "XOR", "msg", "xlsx", "xls", "fods", "mht", "MB"}


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """``taizhang check`` over the whole folder in one process, as a clerk would run it."""
    logs = tmp_path_factory.mktemp("logs")
    env = {**os.environ, "TAIZHANG_LOG_DIR": str(logs)}
    # run through a small parent of its own, whose children are only this run's processes: the
    # peak it reports is the largest of them (taizhang itself, or a reader's child process)
    wrapper = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:]); "
               "sys.stderr.write('\\nPEAK_KB=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(p.returncode)")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "taizhang", "check", str(CORPUS),
                           "--json", "--as-of", "2026-10-31"], capture_output=True, env=env, timeout=1800)
    seconds = time.perf_counter() - start
    peak_mb = int(re.search(rb"PEAK_KB=(\d+)", proc.stderr).group(1)) / 1024
    data = json.loads(proc.stdout.decode("utf-8"))
    outcomes = {}
    for f in data["files"]:
        codes = {x["code"] for x in f["findings"]}
        if f["readable"]:
            outcomes[Path(f["path"]).name] = "+".join(["read", *[c for c in ("sheet-not-data", "sheet-too-large")
                                                                 if c in codes]])
        else:
            outcomes[Path(f["path"]).name] = f["findings"][0]["code"]
    summary = ", ".join(f"{code} {n}" for code, n in sorted(_count(outcomes.values()).items()))
    print(f"\npublic corpus: {len(outcomes)} files in {seconds:.1f} s, peak memory {peak_mb:.0f} MB; {summary}")
    return proc, data, outcomes, seconds, peak_mb, logs


def _count(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


def test_the_corpus_is_a_few_hundred_files_under_15_mb_with_its_notice():
    files = [p for p in CORPUS.iterdir() if p.name in EXPECTED]
    assert len(files) == len(EXPECTED) >= 250
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 15 * 1024 * 1024
    notice = (CORPUS / "NOTICE").read_text(encoding="utf-8")
    for repo in ("tafia/calamine", "dimastbk/python-calamine", "python-excel/xlrd", "apache/poi", "SheetJS/test_files"):
        assert repo in notice
    listed = {p.name for p in CORPUS.iterdir() if p.suffix.lower() in (*WORKBOOK_SUFFIXES, *LOOKALIKE_SUFFIXES)}
    assert listed == set(EXPECTED)  # every file is one a folder's check takes in


def test_check_over_the_whole_folder_lists_every_file_without_a_traceback(folder_run):
    proc, data, outcomes, seconds, peak_mb, logs = folder_run
    err = proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Error:" not in err and "程序内部出错" not in err
    assert proc.returncode == 2  # some files cannot be read: said, and the others are reported
    assert set(outcomes) == set(EXPECTED)
    assert data["summary"]["files"] == len(EXPECTED)
    assert peak_mb < 1024, f"peak memory {peak_mb:.0f} MB"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_public_file_gets_its_expected_outcome(folder_run, name):
    _proc, data, outcomes, *_ = folder_run
    assert outcomes[name] == EXPECTED[name]
    entry = next(f for f in data["files"] if Path(f["path"]).name == name)
    for finding in entry["findings"]:  # every message in Chinese: a reader's English stays in the log
        text = finding["message"].replace(str(CORPUS / name), "").replace(name, "")
        text = re.sub(r"“[^”]*”", "", text)  # a sheet's own name, quoted
        words = set(re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", text)) - NAMES
        assert not words, finding["message"]


@pytest.mark.skipif(sys.platform == "win32", reason="the child's peak memory is reported on POSIX")
@pytest.mark.parametrize("name", ["sheetjs__2013__apachepoi_51535.xls.xlsb",      # 9 KB; read unbounded: 530 MB
                                  "sheetjs__2013__apachepoi_SharedFormulaTest.xls.xlsb",  # read unbounded: 182 MB
                                  "poi__SharedFormulaTest.xls",                    # 31 KB; read unbounded: 410 MB
                                  "poi__51535.xls"])
def test_memory_is_bounded_by_the_files_size(name):
    import taizhang.reading.isolated as isolated
    from taizhang.reading.book import WorkbookRefused
    from taizhang.reading.source import open_workbook

    path = CORPUS / name
    try:
        open_workbook(path)
    except WorkbookRefused:
        pass
    assert isolated.last_peak_bytes is not None
    assert isolated.last_peak_bytes < 100 * 2 ** 20 + 200 * path.stat().st_size


def test_the_childs_result_never_mixes_with_what_a_reader_prints(tmp_path):
    """The child hands its result back on a pipe of its own: noise a reader writes on stdout
    (xlrd prints its warnings there; C code writes to file descriptor 1) goes to stderr and
    cannot be taken for it.  No file is written for it."""
    import dataclasses
    import os
    import pickle

    from taizhang.reading.book import Limits

    code = ("import os, sys\n"
            "import runpy\n"
            "import taizhang.reading.source as source\n"
            "real = source.open_workbook\n"
            "def noisy(*args, **kw):\n"
            "    print('WARNING *** noise on stdout', flush=True)\n"
            "    os.write(1, b'noise on descriptor 1\\n')\n"
            "    return real(*args, **kw)\n"
            "source.open_workbook = noisy\n"
            "runpy.run_module('taizhang.reading.isolated_child', run_name='__main__')\n")  # as python -m runs it
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code, str(CORPUS / "poi__59074.xls"),
                           json.dumps(dataclasses.asdict(Limits())), str(os.getpid())],
                          capture_output=True, timeout=120, env=env)
    assert proc.returncode == 0
    assert b"WARNING *** noise on stdout" in proc.stderr and b"noise on descriptor 1" in proc.stderr
    book, _peak = pickle.loads(proc.stdout)
    assert [s.name for s in book.sheets]
    assert not list(tmp_path.iterdir())
