"""Hostile and broken workbooks: each corpus item gives exactly its outcome, nothing
crashes, and formula-like text stays text wherever taizhang writes it."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl
import pytest

from fixtures import AS_OF
from hostile_corpus import CORPUS, _ods_repeats, build
from taizhang.cli import main
from taizhang.usecases.files import check_file

#: Slow as a whole: the hostile corpus is built and consolidated once for the module.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return {case.name: (case, path) for case, path in build(tmp_path_factory.mktemp("corpus"))}


@pytest.mark.parametrize("name", [c.name for c in CORPUS])
def test_each_hostile_input_gets_its_exact_outcome(corpus, name):
    case, path = corpus[name]
    report = check_file(path, as_of=AS_OF)
    if case.refusal:
        assert report.refusal is not None and report.refusal.code == case.refusal
        assert str(path) in report.refusal.message  # the message names the file
        assert "\n" not in report.refusal.message
    else:
        assert report.refusal is None
        assert sorted((f.code, f.sheet) for f in report.findings) == sorted(case.findings)
        if case.rows is not None:
            assert sum(len(lg.rows) for lg in report.ledgers) == case.rows


def test_the_whole_corpus_through_the_cli_exits_2_and_names_every_refused_file(corpus, capsys):
    paths = [str(p) for _c, p in corpus.values()]
    assert main(["check", *paths, "--as-of", "2026-10-31", "--json"]) == 2
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert len(data["files"]) == len(CORPUS)
    refused = [c.name for c in CORPUS if c.refusal]
    assert data["summary"]["unreadable"] == len(refused)
    for name in refused:
        assert name in out.err


def test_formula_like_text_stays_text_in_the_consolidated_master(corpus, tmp_path):
    from taizhang.config import default_config
    from taizhang.consolidation.run import consolidate

    _case, source = corpus["公式注入.xlsx"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "县一中.xlsx").write_bytes(source.read_bytes())
    roster = tmp_path / "名册.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "别名"])
    wb.active.append(["县第一中学", "县一中"])
    wb.save(roster)
    master = tmp_path / "master.xlsx"
    consolidate(inbox, "2026-10", master, config=default_config(), roster_path=roster)
    back = openpyxl.load_workbook(master)
    cells = [c for ws in back for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    # (the tab before "=1+1" is trimmed like any surrounding blank; what remains is still text)
    assert {"=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1,2)", "=1+1"} <= texts


def test_limits_are_configurable_in_the_office_file(tmp_path):
    from fixtures import write_xlsx
    from taizhang.config import ConfigError, load_config

    rows = [["姓名", "问题类型", "处理方式"]] + [[f"甲{i}", "违规收费", "诫勉"] for i in range(30)]
    path = write_xlsx(tmp_path / "u.xlsx", {"处分台账": rows})
    office = tmp_path / "taizhang.toml"
    office.write_text("[limits]\nmax_rows = 20\n", encoding="utf-8")
    report = check_file(path, as_of=AS_OF, config=load_config(office))
    assert sorted(f.code for f in report.findings) == ["no-ledger", "sheet-too-large"]
    assert "20 行" in next(f.message for f in report.findings if f.code == "sheet-too-large")
    office.write_text("[limits]\nmax_rows = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="limits.max_rows"):
        load_config(office)


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path):
    import os
    import zipfile

    from fixtures import write_xlsx
    from taizhang.config import load_config

    path = write_xlsx(tmp_path / "大文件.xlsx", {"处分台账": [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "诫勉"]]})
    with zipfile.ZipFile(path, "a") as zf:  # 2 MB of photographs, say (random bytes do not compress)
        zf.writestr("xl/media/image1.jpeg", os.urandom(2 * 1024 * 1024), zipfile.ZIP_STORED)
    office = tmp_path / "taizhang.toml"
    office.write_text("[limits]\nmax_file_mb = 1\n", encoding="utf-8")
    report = check_file(path, as_of=AS_OF, config=load_config(office))
    assert report.refusal.code == "file-too-large" and "超过上限 1 MB" in report.refusal.message
    assert check_file(path, as_of=AS_OF).refusal is None  # under the default 200 MB: read


@pytest.mark.skipif(sys.platform != "linux", reason="the address-space ceiling is set with Linux's setrlimit")
def test_an_ods_asking_for_ninety_million_cells_is_checked_in_a_few_hundred_megabytes(tmp_path):
    """calamine spells out every table of an .ods when it opens one (about 3 GB for this file of
    a few kilobytes): the table too large to read is emptied before, and the check, run with
    1 GB of address space, still reads the ledger beside it and names the table left out."""
    import resource

    path = _ods_repeats(90_000)(tmp_path / "重复单元格九千万.ods")

    def ceiling():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    proc = subprocess.run([sys.executable, "-m", "taizhang", "check", str(path), "--as-of", "2026-10-31", "--json"],
                          capture_output=True, text=True, timeout=300, preexec_fn=ceiling)
    assert proc.stdout, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["summary"]["unreadable"] == 0
    codes = {(f["code"], f["sheet"]) for entry in data["files"] for f in entry["findings"]}
    assert ("sheet-too-large", "巨表") in codes
