"""The monthly report (情况汇报) as a Word document: the writer below the report's use case
(:mod:`taizhang.usecases.report`, which ``taizhang report``, the ribbon's 生成汇报 and the
local service call).

The template's context is the ``taizhang summary --json`` dict of the same files, period and
as-of day, plus ``bureau`` and ``period_label`` (:mod:`taizhang.report.context`), so every
figure of the document is the 汇总表's.  The default template ships in the package
(``data/default.docx``, made by :mod:`taizhang.report.make_template`); an office's own is a
``.docx`` written in Word with the same tags.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, Sequence

from taizhang.config import Config
from taizhang.errors import os_error_zh
from taizhang.figures.settings import DEFAULT_BUREAU  # one default for every entry point
from taizhang.report.bounded import render_bounded
from taizhang.report.context import period_label
from taizhang.report.template import ReportError, TemplateRefused

#: The default template, made by ``python -m taizhang.report.make_template``.
DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "data" / "default.docx"

__all__ = ["DEFAULT_BUREAU", "DEFAULT_TEMPLATE", "ReportError", "TemplateRefused", "refuse_target", "same_file",
           "template_of", "write_default_template", "write_document"]


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` both exist and are the same file, however each is named."""
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def template_of(template: str | os.PathLike | None, config: Config) -> Path:
    """The template to fill: the one given, else the office's ``[settings] report_template``,
    else the built-in :data:`DEFAULT_TEMPLATE`."""
    return Path(template) if template else Path(config.settings.get("report_template") or DEFAULT_TEMPLATE)


def refuse_target(output: Path, template_path: Path, sources: Sequence[str | os.PathLike]) -> None:
    """Raise :class:`ReportError` unless ``output`` may be written: a ``.docx`` that is neither
    one of the ``sources`` (the ledgers counted) nor the template, and a template that exists."""
    if output.suffix.lower() != ".docx":
        raise ReportError(f"汇报文档应保存为 .docx 文件（收到“{output.name}”）")
    for source in sources:
        if same_file(output, Path(source)):
            raise ReportError(f"汇报文档不能写入被统计的台账 {output.name}（源台账从不改动），请换一个文件名")
    if same_file(output, template_path):
        raise ReportError(f"汇报文档不能覆盖模板 {template_path.name}，请换一个文件名")
    if not template_path.is_file():
        raise ReportError(f"找不到汇报模板 {template_path}")


def write_document(figures: dict[str, Any], output: Path, template_path: Path, config: Config) -> str:
    """Fill ``template_path`` with ``figures`` (the ``summary --json`` dict of the period, with
    ``bureau``) and put the document at ``output`` atomically; gives the period's label as the
    document names it.  The template is filled in a child process bounded in memory and time,
    so a template cannot take the PC.  Raises :class:`ReportError` (or its
    :class:`TemplateRefused`) when nothing was written."""
    from docx.opc.exceptions import PackageNotFoundError  # noqa: F401 - fails here, not in the child, without python-docx

    from taizhang.writing import replace_atomically

    document = render_bounded(template_path, figures, config)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(output, lambda tmp: tmp.write_bytes(document))
    except PermissionError:
        raise ReportError(f"汇报文档无法写入：{output}（没有写入权限，或该文件正在 Word/WPS 中打开：请关闭后重试；"
                          f"原文件未改动）") from None
    except OSError as exc:
        raise ReportError(f"汇报文档无法写入：{output}（{os_error_zh(exc)}；原文件未改动）") from None
    return period_label(figures)


def write_default_template(target: str | os.PathLike) -> Path:
    """Copy the default template to ``target``: the start of an office's own."""
    target = Path(target)
    if target.suffix.lower() != ".docx":
        raise ReportError(f"模板应保存为 .docx 文件（收到“{target.name}”）")
    if target.exists():
        raise ReportError(f"{target} 已存在，未覆盖；请换一个文件名")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEFAULT_TEMPLATE, target)
    return target
