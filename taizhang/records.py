"""``dataclass`` and ``make_dataclass``: the standard library's, with the methods' code compiled
once per installation instead of once per process.

The standard library writes each method of a dataclass (``__init__``, ``__repr__``, ``__eq__``,
``__hash__`` and, for a frozen one, ``__setattr__`` and ``__delattr__``) as source text and
compiles it when the class is made.  taizhang makes about fifty dataclasses as it starts (its
rows, findings, figures, configuration); compiling their methods was a third of the time
``taizhang check`` took on one small ledger (30 of 100 ms measured here).  The texts are the
same every time, so their code is kept as Python keeps a module's bytecode: in a file in the
package's ``__pycache__`` (or under ``PYTHONPYCACHEPREFIX``), marked with the interpreter's
version, read when the first class is made and written again at exit when a text was new.

Everything else is the standard library's own doing: each class is made by
``dataclasses.dataclass`` with the same arguments, and its methods are built by running the
same code the standard library would have compiled from the same text.  Only while one of
these two functions runs does the ``dataclasses`` module find its ``exec`` here.  Where the
folder cannot be written (an installation the user may not change), or Python is asked not to
write bytecode, nothing is written and every process compiles, as before.
"""

from __future__ import annotations

import atexit
import dataclasses
import marshal
import sys
import threading
from types import CodeType
from typing import Any

from taizhang.bytecache import beside_bytecode, keep

#: Source text of a method factory -> its compiled code.
_CODE: dict[str, CodeType] = {}
_state = {"loaded": False, "new": False, "depth": 0}
_lock = threading.RLock()
#: What a stored file is marked with: how it was written, and the interpreter that compiled it.
_MARK = f"taizhang dataclass methods 1; {sys.version}"
#: Texts kept at most (a few hundred are made): past it, the store is written empty, and the
#: processes after fill it again with the texts they use.
_MOST = 4000


def dataclass(cls: type | None = None, /, **kwargs: Any) -> Any:
    """``dataclasses.dataclass(cls, **kwargs)``, its methods' code compiled once (see the module)."""
    def wrap(c: type) -> type:
        with _cached_exec():
            return dataclasses.dataclass(c, **kwargs)

    return wrap if cls is None else wrap(cls)


def make_dataclass(*args: Any, **kwargs: Any) -> type:
    """``dataclasses.make_dataclass(*args, **kwargs)``, its methods' code compiled once."""
    with _cached_exec():
        return dataclasses.make_dataclass(*args, **kwargs)


class _cached_exec:  # noqa: N801 - used as a context, like a function
    """While it holds, ``dataclasses`` runs its methods' texts through :func:`_exec`."""

    def __enter__(self) -> None:
        _lock.acquire()
        if not _state["loaded"]:
            _load()
        _state["depth"] += 1
        dataclasses.exec = _exec  # type: ignore[attr-defined]

    def __exit__(self, *exc: object) -> None:
        try:
            _state["depth"] -= 1
            if not _state["depth"]:
                del dataclasses.exec  # type: ignore[attr-defined]
        finally:
            _lock.release()


def _exec(source: str, globals: dict | None = None, locals: dict | None = None) -> None:  # noqa: A002
    """``exec(source, globals, locals)``, the source compiled only when not seen before."""
    code = _CODE.get(source)
    if code is None:
        code = _CODE[source] = compile(source, "<string>", "exec", dont_inherit=True)  # as dataclasses: no __future__
        if not _state["new"]:
            _state["new"] = True
            atexit.register(_save)
    exec(code, globals, locals)  # noqa: S102 - the standard library's own method texts


def cache_path() -> str:
    """Where the compiled methods are kept: beside this module's bytecode (``taizhang.bytecache``)."""
    return beside_bytecode(__file__, f"dataclass-methods.{sys.implementation.cache_tag}.marshal")


def _load() -> None:
    _state["loaded"] = True
    try:
        with open(cache_path(), "rb") as fh:
            mark, stored = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return  # none yet, unreadable or damaged: compiled as needed
    if mark == _MARK and isinstance(stored, dict):
        for source, code in stored.items():
            if isinstance(source, str) and isinstance(code, CodeType):
                _CODE.setdefault(source, code)


def _save() -> None:
    """Write the compiled methods (at exit, when some were new); never raises."""
    if _CODE:
        keep(cache_path(), marshal.dumps((_MARK, _CODE if len(_CODE) <= _MOST else {})))
