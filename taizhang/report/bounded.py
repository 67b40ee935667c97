"""Filling a template under a bound on memory and time: in a child process of its own.

A ``.docx`` template is a program of sorts: Jinja's sandbox keeps it away from Python's
insides, but not from asking for a gigabyte (``{{ 'x' * 1000000000 }}``) or looping for an
hour.  :func:`render_bounded` runs :func:`taizhang.report.template.render` in a child
process (``python -m taizhang.report.bounded``) with

- a memory limit (Linux: ``RLIMIT_AS``, the child's size after its imports plus
  ``[limits] report_mb``, 512 MB unless the configuration says less), and
- a time limit (``[limits] report_seconds``, 60 s by default), after which it is killed;

the figures go in and the document comes out through its pipes (nothing is written to disk),
and a template over either limit is refused (:class:`TemplateRefused`, in Chinese).  Where
the system has no such memory limit (Windows) only the time limit applies, besides the
sandbox's own refusal of a huge ``*`` or ``**`` (``template.make_environment``).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

from taizhang.config import Config
from taizhang.report.context import template_context
from taizhang.report.template import RENDER_LIMITS, TemplateRefused, render

_MB = 1024 * 1024


def render_limits(config: Config) -> tuple[int, float]:
    """(memory in bytes, seconds) a template may take to fill, from ``[limits]``."""
    limits = {**RENDER_LIMITS, **(config.limits or {})}
    return int(limits["report_mb"]) * _MB, float(limits["report_seconds"])


def render_bounded(template_path: Path, figures: dict[str, Any], config: Config) -> bytes:
    """The filled document of ``template_path`` with ``figures`` (``summary --json``), made in
    a child process under :func:`render_limits`; :class:`TemplateRefused` when the template
    is refused or goes over a limit."""
    memory, seconds = render_limits(config)
    name = template_path.name
    request = pickle.dumps({"template": str(template_path), "figures": figures, "config": config,
                            "memory": memory}, protocol=pickle.HIGHEST_PROTOCOL)
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH"))
                                                       if p),
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONIOENCODING": "utf-8"}
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    try:
        child = subprocess.Popen([sys.executable, "-m", "taizhang.report.bounded"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, creationflags=flags)
    except OSError as exc:
        raise TemplateRefused(f"无法启动填写模板的进程（{exc.strerror or exc}）") from None
    try:
        out, _ = child.communicate(request, timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise TemplateRefused(f"模板 {name} 填写超时（超过 {seconds:g} 秒）：模板中可能有过大的循环，"
                              f"请检查 {{% for %}} 等标签") from None
    try:
        kind, value = pickle.loads(out)
    except Exception:  # noqa: BLE001 - the child died without an answer (killed for its memory)
        kind, value = "memory", None
    if kind == "ok":
        return value
    if kind == "refused":
        raise TemplateRefused(value)
    if kind == "memory":
        raise TemplateRefused(f"模板 {name} 填写时所需内存超过上限（{memory // _MB} MB）：模板中可能有生成"
                              f"超长文字的标签，请检查")
    raise TemplateRefused(f"模板 {name} 无法填写（内部错误 {value}）")


def _limit_memory(budget: int) -> None:
    """This process may grow by ``budget`` bytes beyond its size now (Linux)."""
    try:
        import resource
    except ImportError:  # Windows: the time limit alone
        return
    if not sys.platform.startswith("linux"):
        return
    with open("/proc/self/statm", encoding="ascii") as fh:
        size = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child() -> int:
    import docx  # noqa: F401 - imported before the limit is set, as render needs them
    import docxtpl  # noqa: F401

    request = pickle.loads(sys.stdin.buffer.read())
    answer: tuple[str, Any]
    try:
        _limit_memory(int(request["memory"]))
        config = request["config"]
        data = render(Path(request["template"]), template_context(request["figures"], config), config)
        if len(data) > int(request["memory"]):
            answer = ("memory", None)
        else:
            answer = ("ok", data)
    except TemplateRefused as exc:
        answer = ("refused", str(exc))
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - said by its type only: its text could carry a value
        answer = ("error", type(exc).__name__)
    try:
        sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        sys.stdout.buffer.flush()
    except MemoryError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_child())
