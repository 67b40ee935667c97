"""Roles are data: a source an office adds gets its own row in every output, never 来源不明;
one it maps onto 市转办 is counted there; statuses and conclusions follow the office file."""

from __future__ import annotations

import json

import openpyxl

from fixtures import write_xlsx
from taizhang.cli import main

COMPLAINTS = [
    ["收件日期", "来源", "办理状态", "办结日期", "核查结论"],
    ["2026-10-01", "县转办", "办结", "2026-10-09", "属实"],
    ["2026-10-02", "县纪委转办", "在办", None, None],
    ["2026-10-03", "市转办", "已结案", "2026-10-12", "部分属实"],
    ["2026-10-04", "自办", "在办", None, "不属实"],
]


def _run(tmp_path, capsys, office: str, *extra):
    config = tmp_path / "taizhang.toml"
    config.write_text(office, encoding="utf-8")
    book = write_xlsx(tmp_path / "县一中.xlsx", {"信访举报台账": COMPLAINTS})
    code = main(["summary", str(book), "--period", "2026-10", "--as-of", "2026-10-31", "--json",
                 "--config", str(config), *extra])
    return code, json.loads(capsys.readouterr().out)


def test_an_added_source_has_its_own_row_everywhere(tmp_path, capsys):
    out = tmp_path / "汇总.xlsx"
    code, data = _run(tmp_path, capsys, '[vocabularies.complaint_source.values]\n"县转办" = ["县纪委转办"]\n',
                      "-o", str(out))
    assert code == 0
    c = data["complaints"]
    assert c["by_source"] == {"省转办": 0, "市转办": 1, "自办": 1, "县转办": 2} and c["unknown_source"] == 0
    assert "县转办件2件" in data["narrative"] and "来源不明" not in data["narrative"]
    ws = openpyxl.load_workbook(out)["汇总表"]
    rows = {str(ws.cell(r, 1).value).strip("　"): ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert rows["县转办"] == 2 and "来源不明（见问题清单）" not in rows
    assert rows["来源小计（应等于总数）"] == rows["受理信访举报总数"] == 4


def test_a_source_mapped_onto_a_role_is_counted_there(tmp_path, capsys):
    office = ('[vocabularies.complaint_source.values]\n"县转办" = ["县纪委转办"]\n'
              '[roles.complaints.sources]\n"市转办" = ["市转办", "县转办"]\n')
    _code, data = _run(tmp_path, capsys, office)
    assert data["complaints"]["by_source"] == {"省转办": 0, "市转办": 3, "自办": 1}
    assert "市转办件3件" in data["narrative"]


def test_done_statuses_and_substantiated_conclusions_are_roles(tmp_path, capsys):
    _code, data = _run(tmp_path, capsys, "")
    assert (data["complaints"]["closed"], data["complaints"]["substantiated"]) == (2, 2)
    office = '[roles.complaints]\nsubstantiated = ["属实"]\n'
    _code, data = _run(tmp_path, capsys, office)
    assert data["complaints"]["substantiated"] == 1
