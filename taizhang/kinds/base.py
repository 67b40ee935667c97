"""What a ledger kind is, and the one registry of them.

A ledger kind (整改台账, 信访举报台账 …) is defined once, in a module of ``taizhang/kinds``:
a subclass of :class:`KindDef` holding its row model, its checks, its figures, its block on
the 汇总表, its sentences in the report paragraph and its detail lines, registered with
:func:`register`.  Its columns and vocabularies are data (``taizhang/data/*.toml``, or the
kind's own ``data_file``).  Everything else (reading, checking, the figures, the 汇总表, the
paragraph, the consolidation, the worksheet functions) iterates :func:`kinds` and never
names a kind.

This module imports nothing of the package but ``taizhang.findings``, where it declares each
kind's own codes (``taizhang.config`` sits on it and holds each kind's label and columns);
the built-in kinds are imported by name on first use, as plugins.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Iterator, Protocol

from taizhang import findings
from taizhang.records import dataclass

if TYPE_CHECKING:  # pragma: no cover
    from taizhang.config import Config
    from taizhang.model import LedgerRow

#: The modules of the shipped kinds, in reading order (the order breaks ties between two
#: kinds whose headers match equally well: the earlier wins).
BUILTIN_MODULES = (
    "taizhang.kinds.rectification",
    "taizhang.kinds.complaints",
    "taizhang.kinds.refunds",
    "taizhang.kinds.sanctions",
    "taizhang.kinds.activities",
)


class _KindMeta(type):
    """``for kind in Kind`` lists the registered kinds; ``Kind.COMPLAINTS`` is the kind
    ``complaints`` once registered (the names are set by :func:`register`)."""

    def __iter__(cls) -> Iterator[Kind]:
        return iter([d.kind for d in kinds()])

    def __len__(cls) -> int:
        return len(kinds())

    def __contains__(cls, value: object) -> bool:
        return isinstance(value, str) and any(d.kind == value for d in kinds())

    def __getattr__(cls, name: str) -> Any:
        if name.isupper():
            _load_builtins()
            if name in cls.__dict__:
                return cls.__dict__[name]
        raise AttributeError(name)


class Kind(str, metaclass=_KindMeta):
    """A ledger kind's public identifier (``complaints``): a string, one instance per value,
    so that ``kind is Kind.COMPLAINTS`` holds and a kind compares equal to its name."""

    __slots__ = ()
    _instances: ClassVar[dict[str, Kind]] = {}

    def __new__(cls, value: str) -> Kind:
        value = str(value)
        found = cls._instances.get(value)
        if found is None:
            found = super().__new__(cls, value)
            cls._instances[value] = found
        return found

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        return self.value.upper()

    def __repr__(self) -> str:
        return f"Kind({self.value!r})"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


@dataclass(frozen=True)
class Line:
    """One line of a block of the 汇总表: a label and a figure for 本月 and for 累计."""

    label: str
    now: Any
    ytd: Any
    fmt: str
    indent: int = 0
    bold: bool = False


@dataclass(frozen=True)
class Chart:
    """A bar chart beside a block: the lines after the section line ``after`` (``count`` of
    them, or up to the section line ``until``)."""

    title: str
    after: str
    until: str | None = None
    count: int | None = None
    horizontal: bool = False


@dataclass
class Block:
    """A block of a kind's figures as the 汇总表 and the report lay it out: a title, its lines, its charts."""

    title: str
    lines: list[Line]
    charts: list[Chart] = field(default_factory=list)


@dataclass(frozen=True)
class WorksheetFunction:
    """A worksheet function a kind offers in Excel (``=ACTIVITY_COUNT(…)``).

    ``impl`` is plain Python taking the arguments then ``config=``; ``args`` gives, for each
    argument after ``table``, its name and its help text in the function wizard.
    """

    name: str
    impl: Callable[..., Any]
    doc: str
    args: tuple[tuple[str, str], ...] = ()
    table: bool = True


class ReportWriter(Protocol):
    """What a kind's part of the report template is written with (``report.make_template``):
    a paragraph of words (Jinja tags inside) in a style, or a paragraph holding only a
    docxtpl block tag (``{%p if … %}``), which disappears when the template is filled."""

    def p(self, text: str, style: str = "公文正文", note: bool = False) -> Any: ...

    def tag(self, text: str) -> Any: ...


@dataclass(frozen=True)
class ReportSection:
    """A numbered part of the default report template: its heading, then, for a month, its
    本月 and 全年累计 halves, each written by ``write(out, figures, when)`` where ``figures``
    is the Jinja name of the kind's figures (``complaints`` or ``year_to_date.complaints``)
    and ``when`` the words that open it (``{{ now }}`` …)."""

    #: Position among the parts of the report (一、二、… follow it).
    order: int
    title: str
    write: Callable[[ReportWriter, str, str], None]
    #: What opens the 全年累计 half.
    ytd_when: str = "{{ ytd }}"
    #: A Jinja condition: the part (numbered after the unconditional ones) appears only when
    #: it holds; the sections of one guard stand together.
    guard: str | None = None


class KindDef:
    """A ledger kind.  Subclasses set the class attributes and override what they need."""

    #: The public identifier (``--json``), a :class:`Kind`.
    kind: ClassVar[Kind]
    #: Typed row model (a subclass of :class:`taizhang.model.LedgerRow`).
    row_model: ClassVar[type]
    #: Figures model (a dataclass of counts, money and tallies); its JSON key is ``kind``.
    figures_model: ClassVar[type]
    #: Position in the reports (the 汇总表's blocks, the paragraph, the 明细 sheet).
    report_rank: ClassVar[int] = 100
    #: Title of the block on the 汇总表, without its number (信访举报).
    block_title: ClassVar[str] = ""
    #: Short label in the 明细 sheet's 板块 column.
    detail_label: ClassVar[str] = ""
    #: Name of the consolidated detail sheet of the master (信访举报合并).
    master_sheet: ClassVar[str] = ""
    #: For a tracker (整改): 累计 is the ledger as it stands at the period's end, not the
    #: rows dated in the year.
    ytd_is_tracker: ClassVar[bool] = False
    #: The kind's own finding codes: code -> (severity, "error" or "warning", and a short
    #: Chinese title); the catalogue (``taizhang.findings.CATALOGUE``) gathers them.
    codes: ClassVar[dict[str, tuple[str, str]]] = {}
    #: A TOML file holding this kind's ``[columns.<kind>]`` and ``[vocabularies.<name>]``,
    #: for a kind defined outside the shipped data (None: in ``taizhang/data``).
    data_file: ClassVar[Path | None] = None

    # --- checks --------------------------------------------------------------------------
    def rules(self) -> tuple[Callable, ...]:
        """The kind's own rules (the common ones are added by ``taizhang.checks``)."""
        return ()

    # --- figures -------------------------------------------------------------------------
    def figures(self, rows: list[LedgerRow], config: Config, as_of: Any) -> Any:
        raise NotImplementedError

    #: Bumped whenever what :meth:`parts` returns changes (parts kept by the consolidation's
    #: store under an older one are made again from the rows).
    parts_version: ClassVar[str] = "1"

    def parts(self, rows: list[LedgerRow], config: Config) -> Any:
        """What the figures need of ``rows``, small and mergeable: plain values (str, int,
        Decimal, lists, dicts with str keys), so that the consolidation can keep the parts of
        every unit's month and compute 累计 from them instead of from every row of the year.
        The default, None, says the kind has none: its figures are computed from the rows."""
        return None

    def from_parts(self, parts: list[Any], config: Config, as_of: Any) -> Any:
        """The figures of the rows behind ``parts`` laid end to end, in that order: exactly
        :meth:`figures` of those rows (only called when :meth:`parts` gives parts).  It leaves
        ``parts`` as they are (one part may stand for two blocks: ``figures.report_parts``)."""
        raise NotImplementedError

    def merge_parts(self, parts: list[Any], config: Config) -> Any:
        """The parts of the rows behind ``parts`` laid end to end, as one part, so that
        ``from_parts([merge_parts(a), *b]) == from_parts([*a, *b])``: the consolidation keeps
        each unit's year so far as one part.  The default, None, says it cannot: the parts are
        merged from each unit's months every time.  It leaves ``parts`` as they are."""
        return None

    @classmethod
    def has_parts(cls) -> bool:
        return cls.parts is not KindDef.parts

    @classmethod
    def merges_parts(cls) -> bool:
        return cls.has_parts() and cls.merge_parts is not KindDef.merge_parts

    def block(self, now: Any, ytd: Any, config: Config) -> Block:
        """This kind's block of the 汇总表 from its figures of the period and of the year."""
        raise NotImplementedError

    def sentences(self, fig: Any, config: Config) -> str:
        """The kind's sentences in the report paragraph ('' when there is nothing to say)."""
        return ""

    def compared(self, fig: Any) -> tuple[tuple[str, Any, str], ...]:
        """The figures a comparison with another period speaks of (较上月, 同比), as (what is
        counted, its value, its unit): ``("受理信访举报", 96, "件")``; none by default."""
        return ()

    def detail(self, row: Any) -> tuple[Any, Any, Any, Any, Any]:
        """(单位, 分类, 状态或处理, 金额, 说明) of a row in the 明细 sheet."""
        return (None, None, None, None, None)

    def worksheet_functions(self) -> tuple[WorksheetFunction, ...]:
        return ()

    # --- the Word report (``taizhang report``) --------------------------------------------
    #: docxtpl tags set at the top of the default template (``{%p set … %}``), for the
    #: guards of the kind's sections.
    report_preamble: ClassVar[tuple[str, ...]] = ()

    def report_sections(self) -> tuple[ReportSection, ...]:
        """The kind's parts of the default report template."""
        return ()

    def report_figures(self, figures: dict, config: Config) -> dict:
        """The kind's figures (its object of ``summary --json``) as a report template reads
        them: a tally keyed by a vocabulary answers 0 for a value with no case this period."""
        return figures

    def report_filters(self, config: Config) -> dict[str, Callable[..., Any]]:
        """Filters the kind offers report templates (``causes``, ``activity`` …)."""
        return {}


_REGISTRY: dict[Kind, KindDef] = {}
_LOCK = threading.RLock()
_LOADED = False


def register(definition: KindDef | type[KindDef]) -> KindDef:
    """Add a kind to the registry (a class is instantiated); the kind's upper-case name
    becomes an attribute of :class:`Kind`.  Registering a kind again replaces it."""
    if isinstance(definition, type):
        definition = definition()
    kind = Kind(definition.kind)
    for what, model in (("row_model", getattr(definition, "row_model", None)),
                        ("figures_model", getattr(definition, "figures_model", None))):
        if model is not None and "__dataclass_fields__" not in vars(model):  # its own fields, not only a base's
            raise TypeError(f"kind {kind.value}: {what} {model.__name__} must be a dataclass of its own "
                            f"(@dataclass(frozen=True, kw_only=True) for a row model, @dataclass(kw_only=True) "
                            f"for figures)")
    with _LOCK:
        _REGISTRY[kind] = definition
        type.__setattr__(Kind, kind.name, kind)
        findings.declare(kind.value, definition.codes)
    _clear_caches()
    return definition


def unregister(kind: str) -> None:
    """Remove a kind (a test's toy kind, say)."""
    kind = Kind(kind)
    with _LOCK:
        _REGISTRY.pop(kind, None)
        findings.withdraw(kind.value)
        if Kind.__dict__.get(kind.name) is kind:
            type.__delattr__(Kind, kind.name)
    _clear_caches()


def _clear_caches() -> None:
    for hook in _CACHE_HOOKS:
        hook()


#: Functions called whenever the registry changes (caches built from it).
_CACHE_HOOKS: list[Callable[[], None]] = []


def on_change(hook: Callable[[], None]) -> Callable[[], None]:
    _CACHE_HOOKS.append(hook)
    return hook


def _load_builtins() -> None:
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if _LOADED:
            return
        _LOADED = True
        for name in BUILTIN_MODULES:
            importlib.import_module(name)


findings.before_first_lookup(_load_builtins)


def kinds() -> list[KindDef]:
    """Every registered kind, in reading order."""
    _load_builtins()
    return list(_REGISTRY.values())


def by_rank() -> list[KindDef]:
    """Every registered kind, in report order."""
    return sorted(kinds(), key=lambda d: d.report_rank)


def definition(kind: str) -> KindDef:
    _load_builtins()
    return _REGISTRY[Kind(kind)]


def registry_key() -> tuple[str, ...]:
    """Identifies the registry's content, for caches."""
    return tuple(f"{d.kind}:{id(d)}" for d in kinds())


def iter_kinds() -> Iterable[Kind]:
    return [d.kind for d in kinds()]
