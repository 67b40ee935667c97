"""The office configuration file is validated: a table or key it cannot hold, or a value of
the wrong type, is refused with a Chinese message naming the file, the key and what was
expected - never ignored (a misspelled ``[column.complaints]`` used to be)."""

from __future__ import annotations

import openpyxl
import pytest

from taizhang.cli import main
from taizhang.config import ConfigError, load_config

CASES = [
    ('[column.complaints]\nsynonyms = { "来源" = ["线索来源"] }\n', "column 不是可用的配置项", "columns"),
    ('[columns.complaint.synonyms]\n"来源" = ["线索来源"]\n', "columns.complaint 不是可用的配置项", "complaints"),
    ('[columns.complaints]\nsynonym = { "来源" = ["线索来源"] }\n', "columns.complaints.synonym 不是可用的配置项",
     "synonyms"),
    ('[columns.complaints.synonyms]\n"来源" = "线索来源"\n', "columns.complaints.synonyms.来源 应为列表", None),
    ("[limits]\nmax_row = 5\n", "limits.max_row 不是可用的配置项", "max_rows"),
    ('[limits]\nmax_rows = "很多"\n', "limits.max_rows 应为整数", None),
    ('[vocabularies.complaint_sources.values]\n"县转办" = []\n', "vocabularies.complaint_sources 不是可用的配置项",
     "complaint_source"),
    ('[vocabularies.complaint_source]\non_unknown = "ignore"\n', "vocabularies.complaint_source.on_unknown 只能是",
     None),
    ('[settings]\nburea = "某县教育局"\n', "settings.burea 不是可用的配置项", "bureau"),
    ('[roles.complaints]\nsubstantiate = ["属实"]\n', "roles.complaints.substantiate 不是可用的配置项", "substantiated"),
    ('[forms]\n"第二种形态" = "诫勉"\n', "forms.第二种形态 应为列表", None),
]


@pytest.mark.parametrize("text, says, offers", CASES, ids=[c[1].split(" ")[0] for c in CASES])
def test_a_fault_in_the_office_file_names_the_file_the_key_and_what_was_expected(tmp_path, text, says, offers):
    office = tmp_path / "taizhang.toml"
    office.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(office)
    message = caught.value.message
    assert message.startswith(f"{office}: ") and says in message
    if offers:
        assert offers in message.split("此处可用：", 1)[1]


def test_the_command_line_refuses_a_misspelled_table_with_exit_2(tmp_path, capsys):
    office = tmp_path / "taizhang.toml"
    office.write_text('[column.complaints]\nsynonyms = { "来源" = ["线索来源"] }\n', encoding="utf-8")
    book = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "来源", "反映内容"])
    wb.save(book)
    assert main(["check", str(book), "--config", str(office)]) == 2
    assert f"{office}: column 不是可用的配置项" in capsys.readouterr().err


def test_every_table_the_readme_shows_is_accepted(tmp_path):
    office = tmp_path / "taizhang.toml"
    office.write_text(
        '[settings]\nbureau = "某某县教育局"\nas_of = 2026-10-31\nreport_template = "模板.docx"\n'
        '[columns.complaints]\nsheet_keywords = ["信访"]\n[columns.complaints.synonyms]\n"来源" = ["线索来源"]\n'
        '[vocabularies.complaint_source]\non_unknown = "warning"\n'
        '[vocabularies.complaint_source.values]\n"市转办" = ["区转办"]\n"县转办" = []\n'
        '[forms]\n"第一种形态" = ["谈话提醒", "批评教育", "诫勉"]\n'
        '[categories]\n"党纪处分" = ["警告"]\n[category_hints]\n"政务处分" = ["政务"]\n'
        "[limits]\nmax_rows = 100000\nmax_file_mb = 50\nbackups = 3\nreport_seconds = 30\n"
        '[roles.complaints.sources]\n"市转办" = ["市转办", "县转办"]\n'
        '[roles.complaints]\nsubstantiated = ["属实"]\n'
        '[activities.groups]\n"宣传" = ["宣传信息"]\n', encoding="utf-8")
    config = load_config(office)
    assert config.settings["bureau"] == "某某县教育局" and config.limits["max_rows"] == 100000
    assert "线索来源" in config.kinds["complaints"].column("source").synonyms
