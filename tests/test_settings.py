"""One set of defaults, merged the same way everywhere: the office file (--config, before or
after the subcommand), then the 台账设置 sheet of the workbook, then the arguments."""

from __future__ import annotations

import json
from datetime import datetime

import openpyxl
import pytest

from fixtures import write_xlsx
from taizhang.cli import main
from taizhang.config import default_config
from taizhang.figures.settings import DEFAULT_BUREAU, resolve
from taizhang.usecases.summarising import summarise

SANCTIONS = [["姓名", "问题类型", "处理方式", "处理日期"],
             ["张某", "违规收费", "诫勉", "2026-10-08"],
             ["李某", "违规招生", "警告", "2026-10-09"]]
SETTINGS = [["设置项", "值"], ["局名称", "某某县教育局"], ["检查日期", datetime(2026, 10, 31)],
            [None, None], ["处理方式", "四种形态"], ["诫勉", "第二种形态"]]


def _json(capsys, *argv):
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_the_settings_sheet_of_a_summarised_workbook_counts_on_the_command_line(tmp_path, capsys):
    plain = write_xlsx(tmp_path / "a.xlsx", {"处分台账": SANCTIONS})
    with_sheet = write_xlsx(tmp_path / "b.xlsx", {"处分台账": SANCTIONS, "台账设置": SETTINGS})
    _code, before = _json(capsys, "summary", str(plain), "--period", "2026-10", "--as-of", "2026-10-31", "--json")
    assert before["bureau"] == DEFAULT_BUREAU
    assert before["sanctions"]["by_form"]["第一种形态"] == 1
    code, after = _json(capsys, "summary", str(with_sheet), "--period", "2026-10", "--json")
    assert code == 0  # the 台账设置 sheet is no ledger and no finding
    assert after["bureau"] == "某某县教育局" and after["as_of"] == "2026-10-31"
    assert after["sanctions"]["by_form"]["第一种形态"] == 0 and after["sanctions"]["by_form"]["第二种形态"] == 2
    # an argument wins over the sheet
    _code, named = _json(capsys, "summary", str(with_sheet), "--bureau", "局", "--as-of", "2026-11-30", "--json")
    assert (named["bureau"], named["period"]) == ("局", "2026-11")


@pytest.mark.slow
def test_config_before_or_after_the_subcommand_is_the_same(tmp_path, capsys):
    office = tmp_path / "taizhang.toml"
    office.write_text('[settings]\nbureau = "配置县教育局"\n[forms]\n"第二种形态" = ["诫勉", "警告"]\n',
                      encoding="utf-8")
    book = write_xlsx(tmp_path / "a.xlsx", {"处分台账": SANCTIONS})
    args = ["summary", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--json"]
    _c, first = _json(capsys, "--config", str(office), *args)
    _c, second = _json(capsys, *args, "--config", str(office))
    assert first == second
    assert first["bureau"] == "配置县教育局" and first["sanctions"]["by_form"]["第二种形态"] == 2
    # the written report takes it after its subcommand as well, with the same figures
    report = ["report", str(book), "--period", "2026-10", "--as-of", "2026-10-31",
              "-o", str(tmp_path / "汇报.docx"), "--json"]
    _c, third = _json(capsys, *report, "--config", str(office))
    assert third["sanctions"]["by_form"]["第二种形态"] == 2


def test_resolve_orders_the_sources_and_says_where_each_came_from(tmp_path):
    config = default_config()
    s = resolve(config, sheet=SETTINGS, bureau=None)
    assert (s.bureau, s.as_of.isoformat(), s.config.forms["诫勉"]) == ("某某县教育局", "2026-10-31", "第二种形态")
    assert s.sources == {"bureau": "台账设置", "as_of": "台账设置", "forms": "台账设置"}
    assert resolve(config, sheet=SETTINGS, bureau="参数局").sources["bureau"] == "参数"
    assert config.forms["诫勉"] == "第一种形态"  # the configuration itself is untouched
    book = write_xlsx(tmp_path / "b.xlsx", {"处分台账": SANCTIONS, "台账设置": SETTINGS})
    summed = summarise([book], config=config)
    assert summed.settings.bureau == "某某县教育局" and summed.report.period.key == "2026-10"


def test_the_master_settings_sheet_names_the_consolidated_summary(tmp_path):
    from taizhang.consolidation.run import consolidate

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_xlsx(inbox / "县一中.xlsx", {"处分台账": SANCTIONS})
    master = write_xlsx(tmp_path / "主表.xlsx", {"单位名册": [["单位", "别名"], ["县一中", None]],
                                                "台账设置": SETTINGS})
    result = consolidate(inbox, "2026-10", master, config=default_config(), jobs=1)
    assert result.summary["sanctions"]["by_form"]["第二种形态"] == 2
    ws = openpyxl.load_workbook(master)["汇总表"]
    assert ws["A1"].value.startswith("某某县教育局")


def test_worksheet_functions_take_the_as_of_day_from_the_same_settings(tmp_path, monkeypatch):
    from datetime import datetime as dt

    from udfs import functions as f

    rect = [["问题描述", "责任单位", "整改时限", "整改状态"],
            ["甲", "一中", dt(2026, 9, 30), "整改中"], ["乙", "一中", dt(2026, 12, 31), "整改中"]]
    office = tmp_path / "taizhang.toml"
    office.write_text('[settings]\nas_of = "2026-10-31"\n', encoding="utf-8")
    monkeypatch.setenv("TAIZHANG_CONFIG", str(office))
    assert f.RECTIFY_OVERDUE(rect) == f.RECTIFY_OVERDUE(rect, dt(2026, 10, 31)) == 1
    office.write_text('[settings]\nas_of = "2026-09-01"\n', encoding="utf-8")
    assert f.RECTIFY_OVERDUE(rect) == 0
    office.write_text("[limits]\nmax_rows = -1\n", encoding="utf-8")
    assert f.RECTIFY_OVERDUE(rect) == "#错误：" + str(office) + ": limits.max_rows 应为正整数"
