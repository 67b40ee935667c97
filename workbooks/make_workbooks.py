"""Make the bundled workbooks: blank templates and a month (2026-10) of sample unit ledgers.

    python workbooks/make_workbooks.py

Deterministic: the same files every run (fixed document dates, no randomness).  Writes
- ``workbooks/templates/``: a blank standard template per ledger, and one with all four,
  with drop-down lists for every vocabulary (from ``taizhang/data``), date and amount formats;
- ``workbooks/samples/2026-10/``: eight units' workbooks, half clean, half with defects;
- ``workbooks/samples/planted_findings.json``: every defect planted, as (file, sheet, code,
  cell), which ``taizhang check --as-of 2026-10-31`` must report, and nothing more;
- ``workbooks/samples/单位名册.xlsx``: the roster, with two units that did not report.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from taizhang.config import Kind, default_config  # noqa: E402

FIXED = datetime(2026, 11, 1, 9, 0, 0)
MONEY = {"违规金额", "应退金额", "已退金额", "上缴金额"}
COUNTS = {"涉及学生数", "来访人次"}
DATES = {"发现日期", "整改时限", "完成时间", "收件日期", "办结日期", "查实日期", "退费日期", "处理日期"}
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHEET_OF = {Kind.RECTIFICATION: "整改台账", Kind.COMPLAINTS: "信访举报台账", Kind.REFUNDS: "退费台账",
            Kind.SANCTIONS: "处分台账"}


# --- templates ---------------------------------------------------------------------------

def _template_sheet(wb, kind: Kind, config, options) -> None:
    spec = config.kinds[kind]
    ws = wb.create_sheet(SHEET_OF[kind])
    headers = [c.name for c in spec.columns]
    ws.append([spec.label])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["填报单位：", None, None, "填报月份："])
    ws.append(headers)
    for c, name in enumerate(headers, start=1):
        cell = ws.cell(3, c)
        cell.font = Font(name="宋体", bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(c)
        ws.column_dimensions[letter].width = 24 if name in ("问题描述", "整改措施", "反映问题") else 13
        area = f"{letter}4:{letter}1000"
        col = spec.columns[c - 1]
        if col.vocabulary:
            values = config.vocabulary(col.vocabulary).canonical
            col_letter = options[col.vocabulary]
            dv = DataValidation(type="list", formula1=f"=选项!${col_letter}$2:${col_letter}${len(values) + 1}",
                                allow_blank=True, showErrorMessage=False)
            dv.promptTitle, dv.prompt = name, f"请从下拉列表选择{name}"
        elif name in DATES:
            dv = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
            dv.promptTitle, dv.prompt = name, "请填写日期，如 2026-10-08"
            if name == "整改时限":
                dv = DataValidation(type="custom", formula1="TRUE", allow_blank=True)
                dv.promptTitle, dv.prompt = name, "填写日期；立行立改或长期坚持的可直接填写文字"
            for row in range(4, 1001):
                ws.cell(row, c).number_format = "yyyy-mm-dd"
        elif name in MONEY:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.promptTitle, dv.prompt = name, "金额（元），不能为负"
            for row in range(4, 1001):
                ws.cell(row, c).number_format = "#,##0.00"
        elif name in COUNTS:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.promptTitle, dv.prompt = name, "整数"
        else:
            continue
        dv.showInputMessage = True
        dv.add(area)
        ws.add_data_validation(dv)
    ws.freeze_panes = "A4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_title_rows = "3:3"


def _options_sheet(wb, config) -> dict[str, str]:
    ws = wb.create_sheet("选项")
    letters = {}
    for i, (name, vocab) in enumerate(config.vocabularies.items(), start=1):
        letter = get_column_letter(i)
        letters[name] = letter
        ws.cell(1, i, f"选项-{vocab.label}")  # not a ledger header: never read as one
        for r, value in enumerate(vocab.canonical, start=2):
            ws.cell(r, i, value)
    ws.sheet_state = "hidden"
    return letters


def _fixed(wb) -> None:
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "taizhang"


def make_templates(config, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for kinds, name in [([k], f"{SHEET_OF[k]}模板.xlsx") for k in Kind] + [(list(Kind), "单位月报台账模板.xlsx")]:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        options = _options_sheet(wb, config)
        for kind in kinds:
            _template_sheet(wb, kind, config, options)
        wb.move_sheet("选项", offset=len(wb.sheetnames))
        wb.active = 0
        _fixed(wb)
        wb.save(out / name)
        made.append(out / name)
    return made


# --- sample month ------------------------------------------------------------------------

@dataclass
class SheetSpec:
    """A sample ledger sheet: title lines, header (one or two rows), rows, planted defects."""

    name: str
    header: list[str]
    rows: list[list[Any]]
    unit: str | None = None
    title: str | None = None
    parent: list[Any] | None = None  # a first header row with merged parents (two-row header)
    merges: list[str] = field(default_factory=list)
    footer: list[Any] | None = None
    hidden: bool = False
    #: (row index in ``rows``, header name or None, code): None -> sheet-level, "header" -> header cell
    planted: list[tuple[int | None, str | None, str]] = field(default_factory=list)

    def top_rows(self) -> list[list[Any]]:
        lines = []
        if self.title:
            lines.append([self.title])
        if self.unit:
            lines.append([f"填报单位：{self.unit}", None, None, "填报月份：2026年10月"])
        return lines

    def first_data_row(self) -> int:
        return len(self.top_rows()) + (2 if self.parent else 1) + 1

    def cells(self, file: str) -> list[dict]:
        out = []
        for index, column, code in self.planted:
            if index is None and column is None:
                cell = None
            elif index is None:  # a header cell
                cell = f"{get_column_letter(self.header.index(column) + 1)}{self.first_data_row() - 1}"
            else:
                cell = f"{get_column_letter(self.header.index(column) + 1)}{self.first_data_row() + index}"
            out.append({"file": file, "sheet": self.name, "code": code, "cell": cell})
        return out


def _grid(spec: SheetSpec) -> list[list[Any]]:
    grid = spec.top_rows()
    if spec.parent:
        grid.append(spec.parent)
    grid.append(spec.header)
    grid.extend(spec.rows)
    if spec.footer:
        grid.append([])
        grid.append(spec.footer)
    return grid


def write_xlsx(path: Path, sheets: list[SheetSpec], extra: dict[str, list[list[Any]]] | None = None) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in (extra or {}).items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    for spec in sheets:
        ws = wb.create_sheet(spec.name)
        for row in _grid(spec):
            ws.append(row)
        width = len(spec.header)
        if spec.title:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
            ws["A1"].font = Font(name="宋体", size=14, bold=True)
            ws["A1"].alignment = Alignment(horizontal="center")
        for rng in spec.merges:
            ws.merge_cells(rng)
        header_row = spec.first_data_row() - 1
        for c in range(1, width + 1):
            ws.cell(header_row, c).font = Font(name="宋体", bold=True)
            ws.column_dimensions[get_column_letter(c)].width = 14
        for r in range(spec.first_data_row(), spec.first_data_row() + len(spec.rows)):
            for c, name in enumerate(spec.header, start=1):
                cell = ws.cell(r, c)
                if name in MONEY and isinstance(cell.value, (int, float)):
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, (date, datetime)):
                    cell.number_format = "yyyy-mm-dd"
        if spec.hidden:
            ws.sheet_state = "hidden"
    _fixed(wb)
    wb.save(path)


def write_xls(path: Path, sheets: list[SheetSpec]) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for spec in sheets:
        ws = book.add_sheet(spec.name)
        for r, row in enumerate(_grid(spec)):
            for c, value in enumerate(row):
                if value is None:
                    continue
                ws.write(r, c, value, date_style) if isinstance(value, date) else ws.write(r, c, value)
    book.save(str(path))


D = date

RECT_HEADER = ["序号", "问题来源", "发现日期", "问题描述", "责任单位", "责任人", "整改措施", "时限类型", "整改时限", "整改状态", "完成时间"]
COMP_HEADER = ["编号", "收件日期", "来源", "方式", "类别", "被反映人", "反映人", "联系电话", "承办单位", "处置方式", "办理状态", "办结日期", "核查结论"]
REF_HEADER = ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "违规金额", "应退金额", "已退金额", "上缴金额", "退费日期"]
SAN_HEADER = ["序号", "姓名", "单位", "职务", "问题类型", "处分类别", "处理方式", "处理日期", "文号"]


def units() -> dict[str, tuple[str, list[SheetSpec], dict]]:
    """file name -> (format, sheets, extra sheets)."""
    out: dict[str, tuple[str, list[SheetSpec], dict]] = {}

    # 1. 县第一中学: clean, standard headers, a correct 合计 row, dates in several forms
    out["县第一中学_2026年10月台账.xlsx"] = ("xlsx", [
        SheetSpec("整改台账", RECT_HEADER, [
            [1, "巡察反馈", D(2026, 3, 12), "食堂财务管理不规范，票据不全", "县第一中学", "李建国", "建立食堂账目月审制度", "限期整改", D(2026, 6, 30), "已销号", D(2026, 6, 18)],
            [2, "专项检查", D(2026, 5, 9), "教辅材料征订未经家长自愿", "县第一中学", "王志强", "停止统一征订，退还费用", "立行立改", "立行立改", "已完成", D(2026, 5, 20)],
            [3, "督查", D(2026, 9, 15), "晚自习收费公示不到位", "县第一中学", "陈明", "完善收费公示栏", "限期整改", D(2026, 11, 30), "整改中", None],
            [4, "自查", D(2026, 10, 10), "师德师风档案不完整", "县第一中学", "赵敏", "补齐教师师德档案", "长期坚持", "长期坚持", "整改中", None],
        ], unit="县第一中学", title="2026年整改台账"),
        SheetSpec("信访举报台账", COMP_HEADER, [
            ["XF2026-001", D(2026, 10, 8), "省转办", "网络", "违规收费", "县第一中学", "周立平", "13800001111", "县第一中学", "初步核实", "办结", D(2026, 10, 20), "部分属实"],
            ["XF2026-002", "2026/10/12", "市纪委转办", "来信", "有偿补课", "王某某（教师）", "吴晓燕", "13800002222", "县第一中学", "谈话函询", "已办结", "2026年10月25日", "属实"],
            ["XF2026-003", "2026.10.16", "直接受理", "来访", "师德师风", "李某某（教师）", "郑海涛", "13800003333", "县第一中学", "初步核实", "在办", None, None],
            ["XF2026-004", 20260921, "自办", "来电", "违规招生", "县第一中学", "孙丽", "13800004444", "县第一中学", "予以了结", "办结", D(2026, 9, 30), "不属实"],
        ], unit="县第一中学", title="信访举报台账"),
        SheetSpec("退费台账", REF_HEADER, [
            [1, "县第一中学", "教辅材料", D(2026, 10, 18), 120, 18000, 18000, 18000, 0, D(2026, 10, 28)],
            [2, "县第一中学", "有偿补课", D(2026, 9, 26), 35, "10,500.00", "10,500.00", "10,500.00", 0, D(2026, 10, 9)],
            ["合计", None, None, None, 155, 28500, 28500, 28500, 0, None],
        ], unit="县第一中学", title="违规收费退费台账"),
        SheetSpec("处分台账", SAN_HEADER, [
            [1, "王某某", "县第一中学", "教师", "有偿补课", "政务处分", "警告", D(2026, 10, 22), "县教纪〔2026〕21号"],
            [2, "张某某", "县第一中学", "年级主任", "违规收费", "问责/其他措施", "诫勉", D(2026, 10, 23), "县教纪〔2026〕22号"],
        ], unit="县第一中学", title="处分台账"),
    ], {})

    # 2. 县第二中学: synonyms and defects in complaints and refunds
    comp2 = ["信访编号", "受理日期", "信访来源", "信访方式", "问题类别", "被反映人", "举报人", "举报人电话", "办理单位", "办理方式", "状态", "办结日期", "查实情况", "督办情况"]
    ref2 = ["序号", "单位", "违规项目", "查实日期", "学生数", "查实金额", "应退", "实退金额", "上缴国库", "退费日期"]
    out["县第二中学_10月台账.xlsx"] = ("xlsx", [
        SheetSpec("信访举报台账", comp2, [
            ["EZ-101", D(2026, 10, 3), "省纪委转办", "来信", "乱收费", "县第二中学", "冯海燕", "13800005555", "县第二中学", "初步核实", "已办结", D(2026, 10, 19), "属实", "已督办"],
            ["EZ-102", D(2026, 10, 5), "区转办", "来电", "有偿补课", "刘某某（教师）", "何俊", "13800006666", "县第二中学", "谈话函询", "在办", None, None, None],
            ["EZ-103", "2026-13-45", "市局转办", "网络", "违规招生", "县第二中学", "吕晨", "13800007777", "县第二中学", "初步核实", "在办", None, None, None],
            ["EZ-104", D(2026, 10, 11), "自收", "来访", "师德师风", "陈某某（教师）", "施雨", "13800008888", "县第二中学", "初步核实", "办结", None, "不属实", None],
            ["EZ-104", D(2026, 10, 14), "市转", "来信", "违规吃喝", "县第二中学", "张伟东", "13800009999", "县第二中学", "谈话函询", "办结", D(2026, 10, 2), "部分属实", None],
        ], unit="县第二中学", title="信访举报台账",
            planted=[(1, "信访来源", "unknown-value"), (2, "受理日期", "invalid-date"),
                     (3, "办结日期", "missing-closing-date"), (4, "信访编号", "duplicate-id"),
                     (4, "办结日期", "closing-before-received"), (None, "督办情况", "unknown-column")]),
        SheetSpec("退费台账", ref2, [
            [1, "县第二中学", "补课费", D(2026, 10, 9), 40, 24000, 20000, 20000, 4000, D(2026, 10, 20)],
            [2, "县第二中学", "资料费", D(2026, 10, 12), 60, 9000, 8000, 8000, 500, D(2026, 10, 22)],
            [3, "县第二中学", "服务性收费", D(2026, 10, 15), 25, None, 5000, 5600, None, D(2026, 10, 26)],
            [4, "县第二中学", "代收费", D(2026, 10, 16), 10, None, 3000, -300, None, D(2026, 10, 27)],
            [5, "县第二中学", "择校费", D(2026, 10, 17), 2, None, "待核实", 0, None, None],
            ["合计", None, None, None, 137, None, 36000, 34000, None, None],
        ], unit="县第二中学", title="退费台账",
            planted=[(1, "应退", "due-mismatch"), (2, "实退金额", "refund-exceeds-due"),
                     (3, "实退金额", "negative-amount"), (4, "应退", "invalid-amount"),
                     (5, "实退金额", "total-mismatch")]),
    ], {})

    # 3. 城关小学: clean; two-row header with a merged 金额（元） parent; columns reordered
    ref3_parent = ["序号", "学校", "收费项目", "涉及学生数", "金额（元）", None, None, None, "查实日期"]
    ref3 = ["序号", "学校", "收费项目", "涉及学生数", "违规金额", "应退金额", "已退金额", "上缴金额", "查实日期"]
    comp3 = ["收件日期", "编号", "办理状态", "来源", "类别", "方式", "被反映人", "反映人", "联系电话", "办结日期", "核查结论", "备注"]
    out["城关小学_2026年10月台账.xlsx"] = ("xlsx", [
        SheetSpec("退费台账", ref3, [
            [1, "城关小学", "代收费", 210, 6300, 6300, 6300, 0, D(2026, 10, 13)],
            [2, "城关小学", "服务性收费", 88, 5280, 4280, 2000, 1000, D(2026, 10, 21)],
        ], unit="城关小学", title="退费台账", parent=ref3_parent,
            merges=["A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:H3", "I3:I4"]),
        SheetSpec("信访举报台账", comp3, [
            [D(2026, 10, 9), "CG-01", "办结", "市转办", "违规收费", "来信", "城关小学", "邓红梅", "13800010101", D(2026, 10, 18), "属实", ""],
            [D(2026, 10, 21), "CG-02", "在办", "自办", "其他", "来访", "城关小学食堂", "韩磊", "13800010202", None, None, "家长来访"],
        ], unit="城关小学", title="信访举报台账"),
        SheetSpec("整改台账", ["序号", "来源", "存在问题", "整改单位", "整改要求", "完成时限", "进展情况", "完成日期"], [
            [1, "巡察", "校服征订程序不规范", "城关小学", "重新公开招标", "立行立改", "已整改", D(2026, 4, 2)],
            [2, "审计", "食堂采购台账不全", "城关小学", "补齐台账", D(2026, 12, 31), "正在整改", None],
        ], unit="城关小学", title="整改台账"),
    ], {})

    # 4. 实验小学: defects in rectification and sanctions; an instructions sheet
    rect4 = ["序号", "问题来源", "发现日期", "问题描述", "责任单位", "整改时限", "整改状态", "完成时间"]
    out["实验小学_10月台账.xlsx"] = ("xlsx", [
        SheetSpec("整改台账", rect4, [
            [1, "巡察反馈", D(2026, 3, 1), "课后服务收费未备案", "实验小学", D(2026, 6, 30), "已完成", None],
            [2, "审计", D(2026, 4, 1), "专项经费支出不合规", "实验小学", D(2026, 7, 31), "已完成", D(2026, 8, 20)],
            [3, "督查", D(2026, 5, 1), "作业公示制度未落实", "实验小学", D(2026, 9, 30), "整改中", None],
            [4, "自查", D(2026, 6, 1), "班费管理不规范", "实验小学", D(2026, 12, 31), "待定", None],
            [5, "自查", D(2026, 7, 1), "家委会收费监督缺位", "实验小学", "下月底", "整改中", None],
            [6, "信访", D(2026, 11, 12), "食堂餐费标准未公示", "实验小学", D(2026, 12, 31), "整改中", None],
        ], unit="实验小学", title="整改台账",
            planted=[(0, "完成时间", "missing-completion-date"), (1, "完成时间", "completed-late"),
                     (2, "整改时限", "overdue"), (3, "整改状态", "unknown-value"),
                     (4, "整改时限", "invalid-date"), (5, "发现日期", "future-date")]),
        SheetSpec("处分台账", ["序号", "被处理人", "单位", "事由", "类别", "处分种类", "决定日期", "处分文号"], [
            [1, "刘某", "实验小学", "乱收费", "党纪处分", "记过", D(2026, 10, 12), "县教纪〔2026〕30号"],
            [2, "陈某", "实验小学", "有偿补课", "政务处分", "罚款", D(2026, 10, 13), "县教纪〔2026〕31号"],
        ], unit="实验小学", title="处分台账",
            planted=[(0, "类别", "category-mismatch"), (1, "处分种类", "unknown-value")]),
    ], {"填报说明": [["填报说明"], ["1. 各表请按模板列名填写，不得增删列。"], ["2. 金额单位为元，保留两位小数。"]]})
    out["实验小学_10月台账.xlsx"][1].append(SheetSpec("填报说明", [], [], planted=[(None, None, "sheet-skipped")]))

    # 5. 县中心幼儿园: clean, an old .xls
    out["县中心幼儿园_2026年10月.xls"] = ("xls", [
        SheetSpec("信访举报台账", COMP_HEADER, [
            ["YEY-01", D(2026, 10, 10), "市转办", "来电", "违规收费", "县中心幼儿园", "卢芳", "13800011111", "县中心幼儿园", "初步核实", "办结", D(2026, 10, 24), "不属实"],
        ], unit="县中心幼儿园", title="信访举报台账"),
        SheetSpec("整改台账", RECT_HEADER, [
            [1, "专项检查", D(2026, 8, 5), "保教费收费标准公示不清", "县中心幼儿园", "马丽", "重新公示", "限期整改", D(2026, 9, 30), "已完成", D(2026, 9, 20)],
        ], unit="县中心幼儿园", title="整改台账"),
    ], {})

    # 6. 县职业中专: a complaints sheet without 来源, a text count, a hidden old copy
    comp6 = ["编号", "收件日期", "方式", "类别", "被反映人", "反映人", "联系电话", "办理状态", "办结日期", "来访人次"]
    san6 = ["序号", "姓名", "单位", "问题类型", "处分类别", "处理方式", "处理日期"]
    old = SheetSpec("处分台账(旧)", san6, [[1, "黄某", "县职业中专", "违规吃喝", "党纪处分", "严重警告", D(2026, 3, 2)]],
                    title="处分台账", hidden=True, planted=[(None, None, "hidden-sheet")])
    out["县职业中专_10月台账.xlsx"] = ("xlsx", [
        SheetSpec("信访举报台账", comp6, [
            ["ZZ-1", D(2026, 10, 6), "来访", "违规招生", "县职业中专", "许杰", "13800012121", "在办", None, 3],
            ["ZZ-2", D(2026, 10, 18), "来访", "违规收费", "县职业中专", "邱红", "13800012323", "在办", None, "若干"],
        ], unit="县职业中专", title="信访举报台账",
            planted=[(None, None, "missing-column"), (1, "来访人次", "invalid-number")]),
        SheetSpec("处分台账", san6, [
            [1, "黄某", "县职业中专", "违规吃喝", "党纪处分", "严重警告", D(2026, 10, 15)],
            [2, None, "县职业中专", "违规收费", "问责/其他措施", "通报批评", D(2026, 10, 16)],
        ], unit="县职业中专", title="处分台账", planted=[(1, "姓名", "missing-value")]),
        old,
    ], {})

    # 7. 县教师进修学校: clean; amounts in 万元, capital numerals, full-width digits; one person, two measures
    ref7 = ["序号", "学校", "收费项目", "查实日期", "涉及学生数", "违规金额（万元）", "应退金额（万元）", "已退金额（万元）", "上缴金额（万元）"]
    out["县教师进修学校_10月台账.xlsx"] = ("xlsx", [
        SheetSpec("退费台账", ref7, [
            [1, "县教师进修学校", "教辅材料", "2026年10月12日", "３０", 4.5, 4.5, "肆万伍仟元整", 0],
            [2, "县教师进修学校", "其他", "20261019", 12, 0.5, 0.3, "3,000元", 0.2],
        ], unit="县教师进修学校", title="退费台账", footer=["填表人：林静", None, "审核人：方正", None, "联系电话：0571-88886666"]),
        SheetSpec("处分台账", SAN_HEADER, [
            [1, "郭某", "县教师进修学校", "副校长", "违规收费", "党纪处分", "党内警告", D(2026, 10, 20), "县教纪〔2026〕40号"],
            [2, "郭某", "县教师进修学校", "副校长", "违规收费", "组织处理", "免职", D(2026, 10, 20), "县教组〔2026〕8号"],
            [3, "罗某", "县教师进修学校", "教师", "违规招生", "问责/其他措施", "诫勉谈话", D(2026, 10, 26), "县教纪〔2026〕41号"],
        ], unit="县教师进修学校", title="处分台账"),
    ], {})

    # 8. 教育局机关: clean; the file name is an alias, the unit is on the 填报单位 line
    out["局机关10月报表.xlsx"] = ("xlsx", [
        SheetSpec("信访举报台账", COMP_HEADER, [
            ["JG-01", D(2026, 10, 2), "省转", "网络", "工程建设", "某施工单位", "谢明", "13800013131", "教育局机关", "初步核实", "在办", None, None],
            ["JG-02", D(2026, 10, 27), "本级受理", "短信", "违规吃喝", "某科室", "唐宁", "13800013232", "教育局机关", "暂存待查", "在办", None, None],
        ], unit="教育局机关", title="信访举报台账"),
        SheetSpec("处分台账", SAN_HEADER, [
            [1, "宋某", "教育局机关", "科员", "违规吃喝", "政务处分", "记过", D(2026, 10, 28), "县教纪〔2026〕45号"],
        ], unit="教育局机关", title="处分台账"),
    ], {})
    return out


ROSTER = [
    ("县第一中学", "县一中、一中、第一中学"), ("县第二中学", "县二中、二中、第二中学"),
    ("城关小学", "城关小"), ("实验小学", "县实验小学、实小"), ("县中心幼儿园", "中心幼儿园、县幼儿园"),
    ("县职业中专", "职业中专、职中"), ("县教师进修学校", "进修学校、教师进修学校"),
    ("教育局机关", "局机关、机关"), ("东关小学", "东关小"), ("县特殊教育学校", "特教学校、县特校"),
]


def make_samples(out: Path) -> list[dict]:
    month = out / "2026-10"
    month.mkdir(parents=True, exist_ok=True)
    planted: list[dict] = []
    for file, (fmt, sheets, extra) in units().items():
        ledgers = [s for s in sheets if s.header]
        (write_xls if fmt == "xls" else write_xlsx)(month / file, ledgers, **({"extra": extra} if fmt == "xlsx" else {}))
        for spec in sheets:
            planted.extend(spec.cells(file))
    planted.sort(key=lambda f: (f["file"], f["sheet"], f["code"], f["cell"] or ""))
    (out / "planted_findings.json").write_text(json.dumps(planted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "单位名册"
    ws.append(["单位", "别名"])
    for unit, aliases in ROSTER:
        ws.append([unit, aliases])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 36
    _fixed(wb)
    wb.save(out / "单位名册.xlsx")
    return planted


def make_udf_example(out: Path) -> Path:
    """A workbook whose 统计 sheet uses the add-in's worksheet functions on its own ledgers."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = {s.name: s for s in units()["县第一中学_2026年10月台账.xlsx"][1]}
    for name in ("退费台账", "信访举报台账", "处分台账", "整改台账"):
        spec = sheets[name]
        ws = wb.create_sheet(name)
        for row in _grid(SheetSpec(name, spec.header, spec.rows)):
            ws.append(row)
    ws = wb.create_sheet("统计", 0)
    formulas = [
        ("已退金额（元）", "=REFUND_TOTAL(退费台账!A1:J20)"),
        ("其中10月", '=REFUND_TOTAL(退费台账!A1:J20,"","2026-10")'),
        ("尚未退还（元）", '=REFUND_DUE(退费台账!A1:J20,"县第一中学")'),
        ("信访举报（件）", "=COMPLAINT_COUNT(信访举报台账!A1:M20)"),
        ("其中省转办", '=COMPLAINT_COUNT(信访举报台账!A1:M20,"省转办")'),
        ("其中市转办（10月）", '=COMPLAINT_COUNT(信访举报台账!A1:M20,"市纪委转办","2026-10")'),
        ("处分人数", "=SANCTION_COUNT(处分台账!A1:I20)"),
        ("因违规收费诫勉", '=SANCTION_COUNT(处分台账!A1:I20,"诫勉","违规收费")'),
        ("逾期整改", "=RECTIFY_OVERDUE(整改台账!A1:K20,B12)"),
        ("整改完成率", "=RECTIFY_RATE(整改台账!A1:K20)"),
        ("检查日期", date(2026, 10, 31)),
    ]
    ws.append(["项目", "数值"])
    for label, formula in formulas:
        ws.append([label, formula])
    ws["B11"].number_format = "0.0%"
    ws["B12"].number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 16
    _fixed(wb)
    path = out / "函数示例.xlsx"
    wb.save(path)
    return path


def main() -> int:
    config = default_config()
    made = make_templates(config, ROOT / "templates")
    planted = make_samples(ROOT / "samples")
    make_udf_example(ROOT / "samples")
    print(f"模板 {len(made)} 个；样例 {len(units())} 个单位，预置问题 {len(planted)} 个")
    return 0


if __name__ == "__main__":
    sys.exit(main())
