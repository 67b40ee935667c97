"""The registry of ribbon actions: one entry per button, the single source for the ribbon
XML, the VBA dispatcher and the macros they reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from macros import actions as m


@dataclass(frozen=True)
class Action:
    id: str  # ASCII: it travels through VBA, which stays free of Chinese
    label: str
    group: str
    image_mso: str  # a built-in Office icon
    macro: Callable
    screentip: str = ""


TAB_ID, TAB_LABEL = "tzTab", "纪检台账"

REGISTRY: tuple[Action, ...] = (
    Action("tz_check", "检查台账", "检查", "ReviewAcceptChange", m.check_ledgers,
           "检查本工作簿中的台账，问题列入“问题清单”，并标出有问题的单元格"),
    Action("tz_summary", "汇总统计", "统计", "PivotTableInsert", m.summarize,
           "统计信访举报、退费、处分、整改，生成“汇总表”（统计期间见“设置”：月、季度、半年或月份区间）"),
    Action("tz_report", "生成汇报", "统计", "FileDocumentInspect", m.report_document,
           "按公文格式生成情况汇报 Word 文档（保存在本工作簿旁边并打开），汇报段落同时写入“汇报材料”"),
    Action("tz_consolidate", "月度合并", "合并", "ImportExcel", m.consolidate_month,
           "选择各单位报送台账所在的文件夹，合并到本工作簿"),
    Action("tz_settings", "设置", "设置", "ControlsGallery", m.settings,
           "局名称、检查日期、统计期间、四种形态对应关系"),
)

ACTIONS: dict[str, Action] = {a.id: a for a in REGISTRY}

#: Group ids (ASCII) and labels, in ribbon order.
GROUPS: dict[str, str] = {}
for _a in REGISTRY:
    GROUPS.setdefault(_a.group, f"tzGroup{len(GROUPS) + 1}")
