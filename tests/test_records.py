"""``taizhang.records``: dataclasses made by the standard library, their methods' code kept in
the bytecode folder and used again by the next process; the classes are what the standard
library makes."""

from __future__ import annotations

import dataclasses
import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest

from taizhang import records

ROOT = Path(__file__).resolve().parent.parent


def _twins():
    """The same class made by the standard library and by ``records``."""
    made = []
    for make in (dataclasses.dataclass, records.dataclass):
        @make(frozen=True, kw_only=True)
        class Row:
            """A row."""

            KIND: ClassVar[str] = "row"
            name: str
            amount: int = 0
            tags: tuple = dataclasses.field(default_factory=tuple)
            note: str = dataclasses.field(default="", compare=False, repr=False)

        @make
        class Tally:
            count: int
            seen: dict = dataclasses.field(default_factory=dict)
            cache: dict = dataclasses.field(init=False, repr=False, compare=False)

            def __post_init__(self) -> None:
                object.__setattr__(self, "cache", {"count": self.count})

        made.append((Row, Tally))
    return made


def test_a_class_made_here_is_the_one_the_standard_library_makes():
    (row_std, tally_std), (row, tally) = _twins()
    assert str(inspect.signature(row)) == str(inspect.signature(row_std))
    assert str(inspect.signature(tally)) == str(inspect.signature(tally_std))
    a, b = row(name="甲", amount=3, tags=(1,), note="x"), row_std(name="甲", amount=3, tags=(1,), note="x")
    assert repr(a).replace("records", "dataclasses") == repr(b).replace("records", "dataclasses")
    assert repr(a).endswith("Row(name='甲', amount=3, tags=(1,))")
    assert a == row(name="甲", amount=3, tags=(1,), note="other") and a != row(name="乙", amount=3, tags=(1,))
    assert hash(row(name="甲")) == hash(row(name="甲", note="y"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "乙"  # type: ignore[misc]
    with pytest.raises(TypeError):
        row("甲")  # keyword only
    assert dataclasses.replace(a, amount=4).amount == 4 and dataclasses.asdict(a)["tags"] == (1,)
    assert [f.name for f in dataclasses.fields(row)] == [f.name for f in dataclasses.fields(row_std)]
    assert tally(1).seen is not tally(1).seen  # a fresh dict each
    t = tally(2)
    assert t.cache == {"count": 2} and t == tally(2) and repr(t).endswith("Tally(count=2, seen={})")


def test_the_standard_library_finds_its_own_exec_again_after_a_class_whatever_happened():
    records.dataclass(type("Plain", (), {"__annotations__": {"a": "int"}}))
    assert "exec" not in vars(dataclasses)
    with pytest.raises(TypeError):  # a field without a default after one with: refused as ever
        records.dataclass(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    assert "exec" not in vars(dataclasses)
    with pytest.raises(TypeError):
        records.make_dataclass("Bad", [("a", int, 1), "b"])
    assert "exec" not in vars(dataclasses)


_CHILD = textwrap.dedent("""
    import sys, taizhang.records as r
    compiled = []
    real = compile
    r.compile = lambda source, *a, **k: compiled.append(source) or real(source, *a, **k)
    @r.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0
    assert Point(1) == Point(1, 0) and repr(Point(1)) == "Point(x=1, y=0)" and hash(Point(1)) == hash((1, 0))
    print(len(compiled))
""")


def _child(prefix: Path, *flags: str) -> int:
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(prefix), "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run([sys.executable, *flags, "-c", _CHILD], capture_output=True, text=True, env=env, check=True)
    return int(done.stdout)


def _stored(prefix: Path) -> list[Path]:
    return list(prefix.rglob("dataclass-methods.*.marshal"))


def test_the_next_process_uses_the_methods_compiled_by_the_first(tmp_path):
    assert _child(tmp_path) > 0 and len(_stored(tmp_path)) == 1  # compiled, then kept
    assert _child(tmp_path) == 0  # found: nothing compiled


def test_a_damaged_or_foreign_store_is_compiled_over(tmp_path):
    _child(tmp_path)
    (stored,) = _stored(tmp_path)
    for damaged in (b"\x00garbage", stored.read_bytes()[:100], b""):
        stored.write_bytes(damaged)
        assert _child(tmp_path) > 0  # compiled again, no error
        assert _child(tmp_path) == 0  # and written again whole
    import marshal
    stored.write_bytes(marshal.dumps(("another python", {})))
    assert _child(tmp_path) > 0


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path):
    assert _child(tmp_path, "-B") > 0 and _stored(tmp_path) == []


@pytest.mark.parametrize("prefix", [None, "prefix"])
def test_kept_in_the_folder_python_keeps_the_bytecode_in(monkeypatch, tmp_path, prefix):
    import importlib.util

    from taizhang import bytecache

    monkeypatch.setattr(sys, "pycache_prefix", None if prefix is None else str(tmp_path / prefix))
    path = bytecache.beside_bytecode(records.__file__, "kept")
    assert os.path.dirname(path) == os.path.dirname(importlib.util.cache_from_source(records.__file__))
    assert os.path.basename(path) == "kept"
