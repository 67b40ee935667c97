"""taizhang (台账): read, check, roll up and consolidate the ledgers of a discipline-inspection office.

The package is the headless core: no Excel needed.  ``udfs``, ``macros`` and ``addin`` are
thin Excel layers over it; ``taizhang.cli`` is the command line.  For scripts and notebooks:

    import taizhang
    books = taizhang.read("workbooks/samples/2026-10", as_of="2026-10-31")  # DataFrames
    report = taizhang.summarise(books, period="2026-10")                    # the figures
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Ledgers", "WorkbooksNotFoundError", "__version__", "read", "summarise"]

#: Taken from ``taizhang.api`` when first used, so that ``import taizhang`` stays light and
#: ``help(taizhang.read)`` shows the API's own docstring (every table's columns).
_API = ("Ledgers", "WorkbooksNotFoundError", "read", "summarise")


def __getattr__(name: str) -> Any:
    if name in _API:
        from taizhang import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
