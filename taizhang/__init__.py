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
__all__ = ["__version__", "read", "summarise"]


def read(paths: Any, **kwargs: Any) -> Any:
    """Per ledger kind a pandas DataFrame of the rows, with the findings (see ``taizhang.api``)."""
    from taizhang.api import read as _read

    return _read(paths, **kwargs)


def summarise(source: Any, **kwargs: Any) -> Any:
    """The figures of workbooks or of what :func:`read` gave (see ``taizhang.api``)."""
    from taizhang.api import summarise as _summarise

    return _summarise(source, **kwargs)
