"""The ledger kinds, each defined once: one module per kind, one registry.

- ``rectification`` 整改台账, ``complaints`` 信访举报台账, ``refunds`` 退费台账,
  ``sanctions`` 处分台账, ``activities`` 工作开展台账.

A module defines a :class:`KindDef` subclass (row model, checks, figures, block of the
汇总表, sentences of the paragraph, detail lines, worksheet functions) and registers it with
:func:`register`; its columns and vocabularies are in ``taizhang/data/*.toml``.  To add a
kind: write its module, add its columns (and vocabularies) to the data, and list the module
in ``BUILTIN_MODULES`` (or, outside the package, call :func:`register` with a ``data_file``).
"""

from taizhang.kinds.base import (
    BUILTIN_MODULES, Block, Chart, Kind, KindDef, Line, WorksheetFunction, by_rank, definition, kinds,
    on_change, register, registry_key, unregister,
)

__all__ = ["BUILTIN_MODULES", "Block", "Chart", "Kind", "KindDef", "Line", "WorksheetFunction", "by_rank",
           "definition", "kinds", "on_change", "register", "registry_key", "unregister"]
