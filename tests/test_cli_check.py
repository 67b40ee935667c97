"""The `taizhang check` command line: output shapes and exit codes."""

from __future__ import annotations

import json

from fixtures import write_xlsx
from taizhang.cli import main


def _json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_json_shape_and_exit_codes(tmp_path, capsys):
    clean = write_xlsx(tmp_path / "clean.xlsx", {"处分台账": [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "诫勉"]]})
    bad = write_xlsx(tmp_path / "bad.xlsx", {"处分台账": [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "罚款"]]})
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not,a,workbook\n")

    code, data, _ = _json(capsys, ["check", str(clean), "--as-of", "2026-10-31", "--json"])
    assert code == 0
    [f] = data["files"]
    assert f["path"] == str(clean) and f["findings"] == []
    assert f["ledgers"] == [{"kind": "sanctions", "sheet": "处分台账", "header_row": 1, "rows": 1, "hidden": False}]

    code, data, _ = _json(capsys, ["check", str(clean), str(bad), "--json"])
    assert code == 1
    finding = data["files"][1]["findings"][0]
    assert {k: finding[k] for k in ("severity", "code", "sheet", "cell", "row", "column")} == {
        "severity": "error", "code": "unknown-value", "sheet": "处分台账", "cell": "C2", "row": 2,
        "column": "处理方式"}
    assert finding["message"]

    code, data, err = _json(capsys, ["check", str(broken), str(bad), "--json"])
    assert code == 2
    assert [len(f["findings"]) for f in data["files"]] == [1, 1]  # the other file is still checked
    assert data["files"][0]["findings"][0]["code"] == "not-a-workbook"
    assert str(broken) in err and err.count("\n") == 1


def test_human_output_groups_by_file_and_sheet(tmp_path, capsys):
    write_xlsx(tmp_path / "bad.xlsx", {"处分台账": [["姓名", "问题类型", "处理方式"], ["甲", "违规收费", "罚款"]]})
    assert main(["check", str(tmp_path), "--as-of", "2026-10-31"]) == 1
    out = capsys.readouterr().out
    assert "bad.xlsx" in out and "工作表：处分台账" in out and "C2" in out and "错误 1 个" in out


def test_bad_as_of_and_no_files(tmp_path, capsys):
    try:
        main(["check", str(tmp_path), "--as-of", "31/10/2026"])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("a bad --as-of must exit 2")
    assert main(["check", str(tmp_path)]) == 2
    assert "没有找到工作簿" in capsys.readouterr().err
