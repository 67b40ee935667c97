"""Configuration: the columns, vocabularies and 四种形态 mapping, as data.

The shipped defaults live in ``taizhang/data/*.toml``.  An office overrides them without
touching code, in one TOML file found, first match wins, at:

1. the path given explicitly (``--config`` on the command line),
2. the path in the environment variable ``TAIZHANG_CONFIG``,
3. ``taizhang.toml`` in the user's configuration folder
   (``%APPDATA%\\taizhang`` on Windows, ``~/.config/taizhang`` elsewhere).

The override file has the same tables as the defaults (:func:`validate_office` refuses any
other table or key, and a value of the wrong type, naming the file, the key and what was
expected): ``[columns.<kind>]`` with
``synonyms = {<canonical> = [...]}`` adds header synonyms; ``[vocabularies.<name>.values]``
adds synonyms or new canonical values; ``[forms]`` and ``[categories]`` replace the listed
entries of the 四种形态 mapping; ``[settings]`` holds the bureau name and similar;
``[limits]`` bounds what a workbook may cost to read (see ``reading.book.Limits``).
"""

from __future__ import annotations

import os
from dataclasses import field
from functools import cache
from pathlib import Path
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Hashable, Iterable, Literal, TypeVar, Union, get_args, get_origin


__all__ = ["PATH_SETTINGS", "ColumnSpec", "Config", "ConfigError", "Kind", "KindSpec", "Vocabulary", "config_path",
           "default_config", "definition", "load_config"]

from taizhang.bytecache import beside_bytecode, keep
from taizhang.errors import TaizhangError, reason_zh
from taizhang.kinds.base import Kind, definition, kinds as registered_kinds, on_change, registry_key
from taizhang.records import dataclass
from taizhang.values import match_key

if TYPE_CHECKING:
    import pydantic
    from pydantic import BaseModel


#: The ``[settings]`` that name a file: a caller who may only touch some folders (the local
#: service) checks each of them like a path in its request.
PATH_SETTINGS = ("report_template",)


class ConfigError(TaizhangError):
    """The configuration file is not valid; the message names the file and the entry."""


@dataclass(frozen=True)
class ColumnSpec:
    """A ledger column: its field, its standard name, the names it is also known by."""

    field: str
    name: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    vocabulary: str | None = None
    confidential: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


@dataclass(frozen=True)
class KindSpec:
    """A ledger kind as the configuration describes it: its label, the words of its sheet names, its columns."""

    kind: Kind
    label: str
    sheet_keywords: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]

    def column(self, field_name: str) -> ColumnSpec:
        for col in self.columns:
            if col.field == field_name:
                return col
        raise KeyError(field_name)

    #: ``match_key`` of every canonical name and synonym -> its column.
    header_index: dict[str, ColumnSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, ColumnSpec] = {}
        for col in self.columns:
            for name in col.names:
                index.setdefault(match_key(name), col)
        object.__setattr__(self, "header_index", index)


@dataclass(frozen=True)
class Vocabulary:
    """A column's allowed values, each with its synonyms, and what to do with any other value."""

    name: str
    label: str
    on_unknown: str  # "error" | "warning" | "keep"
    values: dict[str, tuple[str, ...]]  # canonical -> synonyms

    @property
    def canonical(self) -> list[str]:
        return list(self.values)

    #: ``match_key`` of every canonical name and synonym -> the canonical name.
    index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {match_key(canonical): canonical for canonical in self.values}
        for canonical, synonyms in self.values.items():
            for syn in synonyms:
                index.setdefault(match_key(syn), canonical)
        object.__setattr__(self, "index", index)

    def lookup(self, text: str) -> str | None:
        """The canonical name for ``text``, or None when it is not in the vocabulary."""
        return self.index.get(match_key(text))


@dataclass(frozen=True)
class Config:
    """The whole configuration: the ledger kinds, the vocabularies, the 四种形态 and the settings."""

    kinds: dict[Kind, KindSpec]
    vocabularies: dict[str, Vocabulary]
    forms: dict[str, str]  # measure -> form (第一种形态 …)
    categories: dict[str, tuple[str, ...]]  # measure -> categories it may belong to
    category_hints: dict[str, tuple[str, ...]]  # category -> words in a measure that imply it
    settings: dict[str, Any] = field(default_factory=dict)
    source: str = "defaults"
    #: ``[limits]`` of the office file: max_file_mb, max_unzipped_mb, max_rows, max_cells …
    limits: dict[str, Any] = field(default_factory=dict)
    #: The other tables of the data (``roles``, ``activities``), office entries merged in.
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)

    def vocabulary(self, name: str) -> Vocabulary:
        return self.vocabularies[name]


#: Data files of the shipped defaults besides columns, vocabularies and forms: each is a
#: table of the configuration (``config.tables[<stem>]``) that the office file overrides
#: under the same name, key by key.
EXTRA_TABLES = ("roles", "activities")
#: Every data file of the shipped defaults (``taizhang/data/<stem>.toml``).
DATA_FILES = ("columns", "vocabularies", "forms", *EXTRA_TABLES)
#: Where the shipped data files, parsed, are kept beside the package's bytecode.
PARSED_DEFAULTS = "defaults.json"


@cache
def _shipped() -> dict[str, dict[str, Any]]:
    """Every shipped data file parsed, by stem.  Parsing their TOML costs every command some
    4 ms, so the tables are kept as JSON beside the package's bytecode (``__pycache__``, or
    ``PYTHONPYCACHEPREFIX``), with the texts they were parsed from; they are used while those
    are the data files' texts, character for character, and made again otherwise.  Where they
    cannot be written (a read-only installation), or Python is asked to write no bytecode,
    each command parses the files as before."""
    data = _data_folder()
    texts = {stem: data.joinpath(f"{stem}.toml").read_text(encoding="utf-8") for stem in DATA_FILES}
    kept = _parsed_file(data)
    if kept is not None:
        tables = _read_parsed(kept, texts)
        if tables is not None:
            return tables
    import tomllib

    tables = {stem: tomllib.loads(text) for stem, text in texts.items()}
    if kept is not None:
        _keep_parsed(kept, texts, tables)
    return tables


def _data_folder() -> Any:
    """``taizhang/data``: the folder beside this module, else (the package in a zip) what
    ``importlib.resources`` gives for it, imported only then."""
    folder = Path(__file__).with_name("data")
    if folder.is_dir():
        return folder
    from importlib import resources

    return resources.files("taizhang.data")


def _parsed_file(data: Any) -> Path | None:
    """``__pycache__/defaults.json`` of the data package (``taizhang.bytecache``), or None where
    it is not a folder."""
    init = data.joinpath("__init__.py")
    if not isinstance(init, Path):  # inside a zip
        return None
    return Path(beside_bytecode(str(init), PARSED_DEFAULTS))


def _read_parsed(path: Path, texts: dict[str, str]) -> dict[str, dict[str, Any]] | None:
    import json

    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: parsed again
        return None
    if not isinstance(kept, dict) or kept.get("texts") != texts or not isinstance(kept.get("tables"), dict):
        return None
    return kept["tables"]


def _keep_parsed(path: Path, texts: dict[str, str], tables: dict[str, dict[str, Any]]) -> None:
    import json

    payload = json.dumps({"texts": texts, "tables": tables}, ensure_ascii=False)
    if json.loads(payload)["tables"] == tables:  # not when a value JSON does not keep as it is (a date)
        keep(str(path), payload.encode("utf-8"))  # not where it cannot be written: parsed at every run


def _merge(base: dict, over: dict) -> dict:
    """``over`` onto ``base``, tables merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


# -- the office file, validated: every table and key it may hold, nothing else ------------

@cache
def _office_model() -> type[BaseModel]:
    """The model of the whole office file, made when a file is first checked: most runs have
    none, and pydantic (imported here, not at start-up) costs time to import and to make
    models with."""
    from pydantic import BaseModel, ConfigDict, PositiveInt

    class _Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=False)

    class _ColumnsOver(_Strict):
        """``[columns.<kind>]``: more header names for a column, more sheet-name keywords."""

        synonyms: dict[str, list[str]] = {}
        sheet_keywords: list[str] = []

    class _VocabularyOver(_Strict):
        """``[vocabularies.<name>]``: more values (or synonyms of one), what an unknown one is."""

        values: dict[str, list[str]] = {}
        on_unknown: Literal["error", "warning", "keep"] | None = None

    class _SettingsOver(_Strict):
        bureau: str | None = None
        as_of: date | str | None = None
        report_template: str | None = None

    class _LimitsOver(_Strict):
        max_file_mb: PositiveInt | None = None
        max_unzipped_mb: PositiveInt | None = None
        max_ratio: PositiveInt | None = None
        max_rows: PositiveInt | None = None
        max_cells: PositiveInt | None = None
        max_columns: PositiveInt | None = None
        report_mb: PositiveInt | None = None
        report_seconds: PositiveInt | None = None
        backups: PositiveInt | None = None

    class _OfficeFile(_Strict):
        """The whole office file (see the module's docstring)."""

        settings: _SettingsOver = _SettingsOver()
        columns: dict[str, _ColumnsOver] = {}
        vocabularies: dict[str, _VocabularyOver] = {}
        forms: dict[str, list[str]] = {}
        categories: dict[str, list[str]] = {}
        category_hints: dict[str, list[str]] = {}
        limits: _LimitsOver = _LimitsOver()
        roles: dict[str, dict[str, Union[list[str], dict[str, list[str]]]]] = {}
        activities: dict[str, Any] = {}

    return _OfficeFile


#: What a value should be, by pydantic's error type, in the clerk's words.
_EXPECTED = {
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数",
    "greater_than": "应为正整数", "string_type": "应为文字（用引号括起）", "list_type": "应为列表，如 [\"…\"]",
    "dict_type": "应为一个表（[…] 下的若干项）", "model_type": "应为一个表（[…] 下的若干项）",
    "model_attributes_type": "应为一个表（[…] 下的若干项）", "literal_error": "只能是 error、warning 或 keep",
    "date_type": "应为日期，如 2026-10-31", "bool_type": "应为 true 或 false",
}


def _keys_at(loc: tuple) -> list[str]:
    """The keys the office file may hold where ``loc`` points (its last item excluded)."""
    from pydantic import BaseModel

    ann: Any = _office_model()
    for step in loc[:-1]:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            field_info = ann.model_fields.get(str(step))
            if field_info is None:
                return []
            ann = field_info.annotation
        elif get_origin(ann) is dict:
            ann = get_args(ann)[1]
        else:
            return []
        while get_origin(ann) is Union:  # X | None
            ann = next(a for a in get_args(ann) if a is not type(None))
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return list(ann.model_fields)
    return []


def _refusal(source: str, exc: pydantic.ValidationError) -> ConfigError:
    """The first fault of the office file: the file, the key, and what was expected."""
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("list[str]", "dict[str,list[str]]")))
        key = ".".join(str(p) for p in loc)
        if err["type"] == "extra_forbidden":
            allowed = _keys_at(loc)
            lines.append(f"{key} 不是可用的配置项" + (f"（此处可用：{'、'.join(allowed)}）" if allowed else ""))
        else:
            lines.append(f"{key} {_EXPECTED.get(err['type'], '的值不合要求：' + err['msg'])}")
        break
    return ConfigError(f"{source}: {lines[0]}")


def _unknown(source: str, key: str, allowed: Iterable[str]) -> ConfigError:
    return ConfigError(f"{source}: {key} 不是可用的配置项（此处可用：{'、'.join(allowed)}）")


def validate_office(override: dict, source: str, vocabularies: Iterable[str], extra: dict | None = None) -> dict:
    """The office file's tables, checked: a table or key it cannot hold, or a value of the
    wrong type, is a :class:`ConfigError` naming the file, the key and what was expected
    (a misspelled ``[column.complaints]`` is refused, never ignored)."""
    from pydantic import ValidationError

    try:
        model = _office_model().model_validate(override)
    except ValidationError as exc:
        raise _refusal(source, exc) from None
    kinds = [d.kind.value for d in registered_kinds()]
    for name in model.columns:
        if name not in kinds:
            raise _unknown(source, f"columns.{name}", kinds)
    vocabularies = list(vocabularies)
    for name in model.vocabularies:
        if name not in vocabularies:
            raise _unknown(source, f"vocabularies.{name}", vocabularies)
    for table in EXTRA_TABLES:
        shipped = (extra or {}).get(table, {})
        for key, value in override.get(table, {}).items():
            if key not in shipped:
                raise _unknown(source, f"{table}.{key}", shipped)
            if table == "roles" and isinstance(value, dict):
                for role in value:
                    if role not in shipped[key]:
                        raise _unknown(source, f"{table}.{key}.{role}", shipped[key])
    return override


def _build(columns: dict, vocabs: dict, forms: dict, override: dict, source: str,
           extra: dict | None = None) -> Config:
    col_over = override.get("columns", {})
    kinds: dict[Kind, KindSpec] = {}
    vocabs = dict(vocabs)
    for d in registered_kinds():
        kind = d.kind
        raw = columns.get(kind.value)
        if d.data_file is not None:  # a kind defined outside the shipped data
            import tomllib

            own = tomllib.loads(Path(d.data_file).read_text(encoding="utf-8"))
            raw = own.get("columns", {}).get(kind.value, raw)
            for name, table in own.get("vocabularies", {}).items():
                vocabs.setdefault(name, table)
        if raw is None:
            raise ConfigError(f"{source}: 台账种类 {kind.value} 没有列定义（columns.toml 中缺少 [{kind.value}]）")
        extra_syn = col_over.get(kind.value, {}).get("synonyms", {})
        cols = []
        for c in raw["columns"]:
            more = tuple(extra_syn.get(c["name"], ())) + tuple(extra_syn.get(c["field"], ()))
            cols.append(
                ColumnSpec(
                    field=c["field"],
                    name=c["name"],
                    synonyms=tuple(c.get("synonyms", ())) + more,
                    required=bool(c.get("required", False)),
                    vocabulary=c.get("vocabulary"),
                    confidential=bool(c.get("confidential", False)),
                )
            )
        keywords = tuple(raw.get("sheet_keywords", ())) + tuple(
            col_over.get(kind.value, {}).get("sheet_keywords", ())
        )
        kinds[kind] = KindSpec(kind, raw["label"], keywords, tuple(cols))

    voc_over = override.get("vocabularies", {})
    vocabularies: dict[str, Vocabulary] = {}
    for name, raw in vocabs.items():
        values = {k: tuple(v) for k, v in raw["values"].items()}
        over = voc_over.get(name, {})
        for canonical, syns in over.get("values", {}).items():
            values[canonical] = values.get(canonical, ()) + tuple(syns)
        on_unknown = over.get("on_unknown", raw.get("on_unknown", "error"))
        if on_unknown not in ("error", "warning", "keep"):
            raise ConfigError(f"{source}: vocabularies.{name}.on_unknown 只能是 error、warning 或 keep")
        vocabularies[name] = Vocabulary(name, raw.get("label", name), on_unknown, values)

    form_table = {**forms["forms"], **override.get("forms", {})}
    form_of: dict[str, str] = {}
    for form, measures in form_table.items():
        for m in measures:
            form_of[m] = form
    cat_table = {**forms["categories"], **override.get("categories", {})}
    categories: dict[str, tuple[str, ...]] = {}
    for cat, measures in cat_table.items():
        for m in measures:
            categories[m] = categories.get(m, ()) + (cat,)
    hints = {k: tuple(v) for k, v in {**forms.get("category_hints", {}),
                                      **override.get("category_hints", {})}.items()}
    limits = dict(override.get("limits", {}))  # checked by validate_office
    tables = {name: _merge((extra or {}).get(name, {}), override.get(name, {})) for name in EXTRA_TABLES}
    return Config(kinds, vocabularies, form_of, categories, hints,
                  dict(override.get("settings", {})), source, limits, tables)


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """The office configuration file in force, or None for the shipped defaults."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("TAIZHANG_CONFIG")
    if env:
        return Path(env)
    base = os.environ.get("APPDATA") if os.name == "nt" else None
    folder = Path(base) / "taizhang" if base else Path.home() / ".config" / "taizhang"
    candidate = folder / "taizhang.toml"
    try:
        return candidate if candidate.is_file() else None
    except OSError as exc:  # the folder cannot be looked into (no permission): say so, never guess
        raise ConfigError(f"无法读取本机配置文件夹 {folder}（{reason_zh(exc)}）：请检查该文件夹的权限，"
                          "或用 --config 指定配置文件") from None


_T = TypeVar("_T")


def config_memo(table: dict, config: Config, key: Hashable = None, *, make: Callable[[], _T] = dict,
                configurations: int = 16) -> _T:
    """What ``table`` keeps for ``config`` (and ``key``), made by ``make`` when first asked: a
    look-up worked out of a configuration, kept while the process reads file after file.  An
    entry is made afresh when another configuration has taken the id of the one it was made
    for, and ``table`` is emptied past ``configurations`` entries (a process holds one
    configuration, a test or the local service a few)."""
    entry = table.get((id(config), key))
    if entry is None or entry[0] is not config:
        if len(table) > configurations:
            table.clear()
        entry = table[(id(config), key)] = (config, make())
    return entry[1]


def load_config(path: str | os.PathLike | None = None) -> Config:
    """The defaults merged with the office file (see module docstring)."""
    found = config_path(path)
    return _load(str(found) if found else None)


_OFFICE: dict[tuple, Config] = {}


def office_config() -> Config:
    """The configuration in force (as :func:`load_config`), read again only when its file
    changes: a worksheet function called at every recalculation does not re-read it, and an
    edit still takes effect without restarting Excel."""
    path = config_path()
    if path is None:
        return load_config()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_config()  # says why the file cannot be read
    found = _OFFICE.get(key)
    if found is None:
        found = load_config()
        _OFFICE.clear()
        _OFFICE[key] = found
    return found


def default_config() -> Config:
    """The shipped defaults alone, ignoring any office configuration file."""
    return _defaults()


def _defaults() -> Config:
    return _defaults_for(registry_key())


@cache
def _defaults_for(_registry: tuple[str, ...]) -> Config:
    return _build(*_default_tables(), {}, "defaults", _extra_tables())


def _default_tables() -> tuple[dict, dict, dict]:
    shipped = _shipped()
    return shipped["columns"], shipped["vocabularies"], shipped["forms"]


def _extra_tables() -> dict[str, dict]:
    shipped = _shipped()
    return {name: shipped[name] for name in EXTRA_TABLES}


on_change(_defaults_for.cache_clear)


def _load(path: str | None) -> Config:
    """Defaults (built once), or defaults plus the office file (read afresh each time, so an
    edit to it takes effect without restarting Excel)."""
    if path is None:
        return _defaults()
    import tomllib  # the shipped data is parsed once (_shipped): only an office file needs it

    try:
        override = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"配置文件不存在：{path}") from None
    except OSError as exc:
        raise ConfigError(f"配置文件无法读取：{path}（{reason_zh(exc)}）") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件格式错误：{path}：{exc}") from None
    columns, vocabularies, forms = _default_tables()
    validate_office(override, path, _vocabulary_names(columns, vocabularies), _extra_tables())
    return _build(columns, vocabularies, forms, override, path, _extra_tables())


def _vocabulary_names(columns: dict, vocabularies: dict) -> list[str]:
    """The vocabularies an office file may extend: the shipped ones and those of kinds
    defined outside the shipped data."""
    names = list(vocabularies)
    for d in registered_kinds():
        if d.data_file is not None:
            import tomllib

            own = tomllib.loads(Path(d.data_file).read_text(encoding="utf-8"))
            names += [n for n in own.get("vocabularies", {}) if n not in names]
    return names
