"""xlwings' own UDF machinery, usable on any system to build the add-in.

On Windows ``xlwings.func`` / ``xlwings.arg`` record each worksheet function's signature in
``f.__xlfunc__`` and ``xlwings.udfs.generate_vba_wrapper`` turns that into VBA.  Elsewhere
xlwings swaps the decorators for no-ops and ``xlwings.udfs`` does not import (it needs
pywin32).  So the build loads xlwings' ``udfs.py`` itself - the installed file, unchanged,
with inert stand-ins for the three pywin32 modules it imports but does not use to write
VBA - and executes the UDF module afresh with xlwings' real decorators in place.  The VBA
is then exactly what xlwings would import on Windows, for every function of the module,
including ones added later.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import sys
import types
from pathlib import Path
from typing import Iterator

import xlwings

UDF_MODULE = "udfs.functions"


class _Inert(types.ModuleType):
    def __getattr__(self, name: str):  # pywintypes.com_error, pythoncom.CoInitialize, ...
        if name.startswith("__"):
            raise AttributeError(name)
        return type(name, (Exception,), {})


@functools.lru_cache(maxsize=1)
def xlwings_udfs() -> types.ModuleType:
    """xlwings' ``udfs`` module (the real one on Windows, a private copy elsewhere)."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        return importlib.import_module("xlwings.udfs")
    path = Path(xlwings.__file__).parent / "udfs.py"
    spec = importlib.util.spec_from_file_location("xlwings._taizhang_udfs", path)
    module = importlib.util.module_from_spec(spec)
    stubs = {"pythoncom": _Inert("pythoncom"), "pywintypes": _Inert("pywintypes"),
             "win32com": _Inert("win32com"), "win32com.client": _Inert("win32com.client")}
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        spec.loader.exec_module(module)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    return module


@contextlib.contextmanager
def _real_decorators() -> Iterator[None]:
    impl = xlwings_udfs()
    names = {"func": impl.xlfunc, "arg": impl.xlarg, "ret": impl.xlret, "sub": impl.xlsub}
    saved = {name: getattr(xlwings, name) for name in names}
    for name, fn in names.items():
        setattr(xlwings, name, fn)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(xlwings, name, fn)


def udf_module(name: str = UDF_MODULE) -> types.ModuleType:
    """A fresh copy of the UDF module whose functions carry xlwings' ``__xlfunc__``."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ImportError(name)
    module = importlib.util.module_from_spec(spec)
    with _real_decorators():
        spec.loader.exec_module(module)
    return module


def worksheet_functions(module: types.ModuleType) -> list:
    """The module's worksheet functions, in the order xlwings writes them (``dir`` order)."""
    return [f for f in (getattr(module, a) for a in dir(module)) if hasattr(f, "__xlfunc__")]


def wrapper_vba(module_name: str, module: types.ModuleType, workbook_name: str) -> str:
    """What ``generate_vba_wrapper`` writes for ``module`` (LF line ends, as xlwings writes)."""
    import io

    buffer = io.StringIO()
    xlwings_udfs().generate_vba_wrapper(module_name, module, buffer, types.SimpleNamespace(Name=workbook_name))
    return buffer.getvalue()
