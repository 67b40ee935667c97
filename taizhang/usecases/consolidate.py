"""Consolidate: the monthly merge of the units' workbooks into the bureau's master."""

from __future__ import annotations

from pathlib import Path

from taizhang.config import Config, load_config
from taizhang.consolidation.lock import LockedError
from taizhang.usecases.common import EXIT_ERRORS, EXIT_UNREADABLE, Outcome, Progress, cannot_write
from taizhang.usecases.requests import ConsolidateRequest


def consolidate(request: ConsolidateRequest, config: Config | None = None,
                progress: Progress | None = None) -> Outcome:
    """``taizhang consolidate`` without printing: the ``--json`` shape, the exit code, the
    messages; ``detail`` is the consolidation's result.  The bureau's name defaults to the
    configuration's ``settings.bureau``.  With ``request.rollup`` the folder's workbooks are
    masters rolled up one level (county to city, city to province); when it is not given, a
    folder holding masters and no units' workbooks is rolled up, and a message says so."""
    from taizhang.consolidation.lock import LockedError
    from taizhang.consolidation.outcomes import ConsolidationError
    from taizhang.consolidation.run import consolidate as merge

    cfg = config if config is not None else load_config(request.config)
    state: dict = {"done": 0, "total": None}

    def on_files(n: int) -> None:
        state["total"] = n
        if progress:
            progress(0, n, "")

    def on_file(path: Path) -> None:
        state["done"] += 1
        if progress:
            progress(state["done"], state["total"], path.name)

    try:
        result = merge(
            Path(request.folder), request.period, Path(request.master), config=cfg,
            roster_path=Path(request.roster) if request.roster else None, recursive=request.recursive,
            jobs=request.jobs, bureau=request.bureau or cfg.settings.get("bureau"),
            on_files=on_files, progress=on_file, compare=request.compare, rollup=request.rollup,
        )
    except (ConsolidationError, LockedError) as exc:
        return Outcome(EXIT_UNREADABLE, messages=[f"taizhang: {exc}"])
    except OSError as exc:
        return Outcome(EXIT_UNREADABLE, messages=[cannot_write("主表", request.master, exc)])
    messages = [f"taizhang: {notice}" for notice in result.notices]
    status = result.exit_status  # the meaning every command gives it
    if status == EXIT_UNREADABLE:
        messages.append("taizhang: 有文件无法读取，已退回（其余单位照常合并），见主表“报送情况”")
    elif status == EXIT_ERRORS:
        messages.append("taizhang: 注意：有台账存在错误或被退回，见主表“问题清单”和“报送情况”")
    return Outcome(status, result.as_json(), messages, result)
