"""`taizhang schema check|summary|consolidate` prints the JSON Schema of each --json output, and
the real outputs, on real workbooks, conform to it; every error taizhang raises on purpose is a
TaizhangError with a Chinese message and the exit status 2."""

from __future__ import annotations

import json

import jsonschema
import pytest

from fixtures import write_xlsx
from taizhang.cli import main
from taizhang.errors import TaizhangError

SHEETS = {
    "信访举报台账": [["收件日期", "来源", "办理状态"], ["2026-10-01", "省转", "在办"], ["2026-10-02", "区转办", "在办"]],
    "退费台账": [["学校", "查实日期", "应退金额", "已退金额"], ["一中", "2026-10-08", "4.5万元", 100.5]],
    "工作开展台账": [["日期", "活动类别", "次数", "参与人次"], ["2026-10-09", "集中学习", None, 30]],
}


def _schema(capsys, command):
    assert main(["schema", command]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_outputs_conform_to_their_published_schemas(tmp_path, capsys):
    book = write_xlsx(tmp_path / "县一中.xlsx", SHEETS)
    schemas = {c: _schema(capsys, c) for c in ("check", "summary", "consolidate")}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)

    main(["check", str(book), "--as-of", "2026-10-31", "--json"])
    checked = json.loads(capsys.readouterr().out)
    jsonschema.validate(checked, schemas["check"])
    assert list(checked) == ["files", "summary"] and checked["files"][0]["findings"][0]["code"] == "unknown-value"

    main(["summary", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--json"])
    summary = json.loads(capsys.readouterr().out)
    jsonschema.validate(summary, schemas["summary"])
    assert summary["refunds"]["due"] == "45000.00" and summary["refunds"]["refunded"] == "100.50"
    assert summary["activities"]["by_category"]["专题学习"]["count"] == 1
    assert list(summary)[:2] == ["period", "as_of"] and list(summary)[-6:] == [
        "bureau", "blocking_errors", "unreadable", "output", "period_source", "period_note"]
    main(["summary", str(book), "--period", "2026", "--as-of", "2026-10-31", "--json"])
    year = json.loads(capsys.readouterr().out)
    jsonschema.validate(year, schemas["summary"])
    assert "year_to_date" not in year  # only a month has its 累计
    summary["refunds"]["due"] = 45000.0  # money is text to the fen: a float is refused
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(summary, schemas["summary"])

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book.rename(inbox / book.name)
    roster = write_xlsx(tmp_path / "名册.xlsx", {"单位名册": [["单位", "别名"], ["县第一中学", "县一中"]]})
    main(["consolidate", str(inbox), "--period", "2026-10", "--master", str(tmp_path / "主表.xlsx"),
          "--roster", str(roster), "--json", "--jobs", "1"])
    consolidated = json.loads(capsys.readouterr().out)
    jsonschema.validate(consolidated, schemas["consolidate"])
    assert consolidated["summary"]["refunds"]["due"] == "45000.00"


def test_schema_knows_every_registered_kind(capsys):
    schema = _schema(capsys, "summary")
    assert {"complaints", "refunds", "sanctions", "rectification", "activities"} <= set(schema["required"])
    assert schema["$defs"]["ActivityLine"]["properties"].keys() >= {"count", "person_times", "quantity", "unit"}


def _family() -> list[type[TaizhangError]]:
    """Every subclass of TaizhangError the package defines: each of its modules imported, then
    the subclasses walked (errors.py itself imports nothing of the package)."""
    import importlib
    import pkgutil

    import taizhang

    for info in pkgutil.walk_packages(taizhang.__path__, "taizhang."):
        if info.name != "taizhang.__main__":
            importlib.import_module(info.name)
    out: list[type[TaizhangError]] = []
    todo = list(TaizhangError.__subclasses__())
    while todo:
        cls = todo.pop(0)
        if cls not in out:
            out.append(cls)
            todo.extend(cls.__subclasses__())
    return out


def test_one_error_family_with_chinese_messages_and_exit_status():
    family = _family()
    classes = {c.__name__ for c in family}
    assert {"ConfigError", "PeriodError", "OutputError", "WorkbookRefused", "ValueParseError", "RangeError",
            "RosterError", "LockedError", "ConsolidationError", "ReportError"} <= classes
    assert all(issubclass(c, TaizhangError) and c.exit_code == 2 for c in family)
    from taizhang.figures.period import Period, PeriodError

    with pytest.raises(TaizhangError) as caught:
        Period.parse("十月")
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, PeriodError)  # old catches hold
    assert caught.value.message == str(caught.value) and "期间应写作" in caught.value.message


def test_a_bad_configuration_file_exits_2_with_a_chinese_message(tmp_path, capsys):
    bad = tmp_path / "taizhang.toml"
    bad.write_text("[limits]\nmax_rows = -1\n", encoding="utf-8")
    book = write_xlsx(tmp_path / "a.xlsx", SHEETS)
    assert main(["check", str(book), "--config", str(bad)]) == 2
    assert "limits.max_rows 应为正整数" in capsys.readouterr().err


def test_reason_zh_says_a_system_or_library_error_in_chinese_and_logs_the_original(caplog):
    import errno
    import logging
    import re

    from taizhang.errors import reason_zh
    from taizhang.serve.install import InstallError

    caplog.set_level(logging.WARNING, logger="taizhang")
    said = reason_zh(PermissionError(errno.EACCES, "Permission denied", "/x/汇总.xlsx"))
    assert said and not re.search(r"[A-Za-z]{3,}", said)
    assert "Permission denied" in caplog.text
    assert reason_zh(InstallError("publish.xml 的根元素不是 jsplugins")) == "publish.xml 的根元素不是 jsplugins"
    said = reason_zh(TypeError("unsupported operand type(s) for +: 'int' and 'str'"))
    assert not re.search(r"[A-Za-z]{3,}", said) and "unsupported operand" in caplog.text


SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "workbooks" / "samples" / "2026-10"


@pytest.mark.parametrize("argv", [
    ["check", str(SAMPLES), "--as-of", "2026-10-31", "--json"],
    ["summary", str(SAMPLES), "--period", "2026-10", "--as-of", "2026-10-31", "--json"],
    ["summary", str(SAMPLES), "--period", "2026-10", "--as-of", "2026-10-31", "--compare", "--json"],
    ["summary", str(SAMPLES), "--period", "2026Q4", "--as-of", "2026-12-31", "--compare", "--json"],
    ["summary", str(SAMPLES), "--period", "2026", "--as-of", "2026-10-31", "--compare", "--json"],
    ["summary", str(SAMPLES), "--period", "all", "--as-of", "2026-10-31", "--json"],
], ids=["check", "month", "month-compared", "quarter-compared", "year-compared", "all"])
def test_the_outputs_are_made_as_their_models_dump_them(tmp_path, capsys, argv):
    """check and summary make their JSON without pydantic (for their start-up's sake): the very
    text its published model gives for it, field order included (the samples hold errors and
    every kind, and a broken file is added, so every field of the shape is there)."""
    from taizhang.schemas import CheckOutput, summary_model

    broken = tmp_path / "损坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    main([*argv[:2], str(broken), *argv[2:]])
    text = capsys.readouterr().out
    made = json.loads(text)
    model = CheckOutput if argv[0] == "check" else summary_model()
    dumped = model.model_validate(made).model_dump(mode="json")
    if argv[0] == "summary":  # the keys the model adds at their defaults are those the command leaves out
        for key in [k for k in dumped if k not in made]:
            assert dumped.pop(key) in (None, [], {})
        for key in ("previous_period", "same_period_last_year"):
            block, given = (dumped.get("compare") or {}).get(key), (made.get("compare") or {}).get(key)
            if block is not None and "year_to_date" not in given:
                assert block.pop("year_to_date") is None
    assert json.dumps(dumped, ensure_ascii=False, indent=2) + "\n" == text
    if argv[0] == "summary":
        assert made["blocking_errors"] and made["unreadable"]
