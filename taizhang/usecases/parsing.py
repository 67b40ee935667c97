"""Values as staff type them, shared by the requests and the command line's argument types
(kept apart from the pydantic models so that the command line starts without building them)."""

from __future__ import annotations

import os
from datetime import date

AS_OF_FORMS = "2026-10-31、2026/10/31、2026.10.31 或 2026年10月31日"
COMPARE_HELP = ("与上期（上月、上年）和上年同期对比：--json 增加 compare，汇总表增加上期、同比增减两列，"
                "汇报写明较上月、同比的增减")
JOBS_HELP = "同时读取文件的进程数（默认：CPU 核数，最多 2；不超过 CPU 核数；文件少时只用本进程）"


def parse_as_of(text: str) -> date:
    """A day as staff write it: the forms a ledger's date cells take (``values.parse_date``),
    full-width digits included; a bare number (an Excel serial) is not taken for a day here.
    Raises ``ValueError`` with the Chinese message."""
    from taizhang.values import parse_date

    cleaned = str(text).strip()
    if cleaned.isdigit() and len(cleaned) != 8:  # 46303 typed on a command line is no date
        cleaned = ""
    try:
        return parse_date(cleaned)
    except ValueError as exc:
        detail = "（不存在这一天）" if "不存在" in str(exc) else ""
        raise ValueError(f"日期应写作 {AS_OF_FORMS}{detail}（收到“{text}”）") from None


def parse_jobs(text: str | int) -> int:
    """A process count: a positive whole number, never more than the machine's cores (more only
    cost memory and start-up time; a request asking for 300 would otherwise fork 300)."""
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise ValueError(f"进程数应为正整数，例如 2（收到“{text}”）")
    return min(jobs, os.cpu_count() or 1)
