"""Filling a ``.docx`` template written with docxtpl's Jinja tags, and refusing a bad one.

A template is refused, before anything is written, when a tag does not parse, a block tag
(``{% if %}``, ``{% for %}`` …) is never closed, or a tag names a field the figures do not
have; the Chinese message names the tag and its paragraph (``第12段“本月受理…”``).  After
filling, a value that came out empty (``None``) is refused the same way, and so is any
``{{``/``{%`` left in the document: nothing is left blank or half-filled silently.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Iterator

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from taizhang.config import Config
from taizhang.errors import TaizhangError, os_error_zh, reason_zh  # noqa: E402 - the one error family

from taizhang.records import dataclass
from taizhang.report.context import TESTS, Tally, make_filters


#: What filling a template may take (``[limits]`` of the configuration may set less): memory
#: in MB beyond the filling process's own size, and seconds (``taizhang.report.bounded``).
RENDER_LIMITS = {"report_mb": 512, "report_seconds": 60}
#: Longest text or list a template's ``*`` may make, and largest number its ``**`` may.
MAX_PRODUCT = 1_000_000
MAX_POWER_BITS = 100_000


class ReportError(TaizhangError):
    """The report could not be made at all (nothing written); the message is Chinese."""


class TemplateRefused(ReportError):
    """The template cannot be filled; the message (Chinese) says which tag, where, and why."""


#: A tag as docxtpl reads it: ``{{ x }}``, ``{% if %}``, ``{#  #}``, with the optional
#: docxtpl prefixes ``p``, ``r``, ``tr``, ``tc`` (``{%p if x %}``).
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_PREFIX = re.compile(r"^(?:p|r|tr|tc)(?=\s)")
_BLOCKS = {"if", "for", "with", "macro", "call", "filter", "raw", "autoescape"}
_DICT_METHODS = {"items", "values", "keys", "get"}
_EMPTY = "\ue000空值\ue001"
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class Paragraph:
    where: str  # 第3段 / 页脚第1段
    text: str

    def describe(self) -> str:
        text = self.text.strip().replace(_EMPTY, "▲")
        short = text if len(text) <= 40 else text[:40] + "…"
        return f"{self.where}（“{short}”）"


def paragraphs(document) -> list[Paragraph]:
    """Every paragraph of a python-docx document, body (tables included) then headers and footers."""
    from docx.oxml.ns import qn

    out: list[Paragraph] = []

    def text_of(p) -> str:
        return "".join(t.text or "" for t in p.iter(qn("w:t")))

    for i, p in enumerate(document.element.body.iter(qn("w:p")), 1):
        out.append(Paragraph(f"正文第{i}段", text_of(p)))
    seen: set[int] = set()
    for section in document.sections:
        for name, part in (("页眉", section.header), ("页眉", section.even_page_header),
                           ("页眉", section.first_page_header), ("页脚", section.footer),
                           ("页脚", section.even_page_footer), ("页脚", section.first_page_footer)):
            if part.is_linked_to_previous:
                continue
            element = part._element
            if id(element) in seen:
                continue
            seen.add(id(element))
            for i, p in enumerate(element.iter(qn("w:p")), 1):
                out.append(Paragraph(f"{name}第{i}段", text_of(p)))
    return out


class _Bounded(SandboxedEnvironment):
    """The sandbox, refusing a ``*`` that would make a huge text or list and a ``**`` that
    would make a huge number (the filling process is bounded anyway: ``report.bounded``)."""

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, bytes, list, tuple)) and isinstance(n, int) \
                        and len(seq) * n > MAX_PRODUCT:
                    raise SecurityError(f"乘法结果过长（超过 {MAX_PRODUCT} 个字符或项）")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) \
                and abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS:
            raise SecurityError("乘方结果过大")
        return super().call_binop(context, operator, left, right)


def make_environment(config: Config) -> SandboxedEnvironment:
    """Jinja as docxtpl uses it, strict: an undefined name raises, values are XML-escaped,
    and an empty value is marked so that it can be found and refused after filling."""

    def finalize(value: Any) -> Any:
        return _EMPTY if value is None else value

    env = _Bounded(undefined=StrictUndefined, autoescape=True, finalize=finalize)
    env.filters.update(make_filters(config))
    env.tests.update(TESTS)
    return env


def _tags(paragraph: Paragraph) -> Iterator[tuple[str, str, str]]:
    """(tag as written, kind ``{{``/``{%``/``{#``, inner text with the docxtpl prefix removed)."""
    for m in _TAG.finditer(paragraph.text.translate(_QUOTES)):
        tag = m.group(0)
        inner = _PREFIX.sub("", tag[2:-2].strip()).strip()
        yield tag, tag[:2], inner


def _refuse(paragraph: Paragraph, tag: str, why: str) -> TemplateRefused:
    return TemplateRefused(f"模板{paragraph.describe()}中的标签 {tag}：{why}")


def _guarded(ast) -> set[str]:
    """The fields an ``{% if X is defined %}`` makes safe to name inside its block."""
    out = set()
    for test in ast.find_all(nodes.Test):
        if test.name == "defined":
            chain = _chain(test.node)
            if chain:
                out.add(".".join([chain[0], *map(str, chain[1])]))
    return out


def check_template(document, context: dict, env: SandboxedEnvironment) -> None:
    """Refuse the template (:class:`TemplateRefused`) for the first bad tag, naming it and its paragraph."""
    paras = paragraphs(document)
    parsed: list[tuple[Paragraph, str, nodes.Template, frozenset[str]]] = []
    stack: list[tuple[str, Paragraph, str, set[str]]] = []

    def guards() -> frozenset[str]:
        return frozenset(g for *_, gs in stack for g in gs)

    for para in paras:
        text = para.text.translate(_QUOTES)
        rest = _TAG.sub("", text)
        for piece in ("{{", "{%", "}}", "%}"):
            if piece in rest:
                idx = rest.index(piece)
                frag = rest[max(0, idx - 10): idx + 20]
                raise TemplateRefused(f"模板{para.describe()}中有不完整的标签（“{frag}”）：{{{{ 与 }}}}、"
                                      f"{{% 与 %}} 应成对出现")
        for tag, kind, inner in _tags(para):
            if kind == "{#":
                continue
            opens = None
            if kind == "{{":
                source = "{{ " + inner + " }}"
            else:
                word = inner.split(None, 1)[0] if inner else ""
                if word in _BLOCKS:
                    opens = word
                    source = "{% " + inner + " %}" + ("{% end" + word + " %}" if word != "raw" else "{% endraw %}")
                elif word.startswith("end"):
                    if not stack or stack[-1][0] != word[3:]:
                        raise _refuse(para, tag, "没有对应的开始标签（或与前面的标签交叉）")
                    stack.pop()
                    continue
                elif word in ("else", "elif"):
                    if not stack or stack[-1][0] not in ("if", "for"):
                        raise _refuse(para, tag, "不在 {% if %} 或 {% for %} 之内")
                    stack[-1][3].clear()  # the other branch: what the if made safe is not
                    if word == "else":
                        continue
                    source = "{% if " + inner[4:] + " %}{% endif %}"
                elif word in ("set", "break", "continue"):
                    source = "{% " + inner + " %}" if word == "set" else ""
                    if word == "set" and "=" not in inner:
                        raise _refuse(para, tag, "不支持（{% set %} 请写成一行：{% set 名称 = 值 %}）")
                elif word in ("include", "import", "from", "extends", "block"):
                    raise _refuse(para, tag, "不能用于汇报模板（模板须自成一体）")
                else:
                    raise _refuse(para, tag, f"无法识别：“{word or inner}”不是可用的模板语句")
            try:
                ast = env.parse(source) if source else None
            except TemplateSyntaxError as exc:
                raise _refuse(para, tag, f"无法解析（{exc.message}）") from None
            if ast is None:
                continue
            own = _guarded(ast)  # {{ a.b if a is defined else … }} names a.b safely
            if kind == "{%" and inner.startswith("elif"):
                stack[-1][3].update(own)
            parsed.append((para, tag, ast, guards() | own))
            if opens:
                stack.append((opens, para, tag, own if opens == "if" else set()))
    if stack:
        word, para, tag, _ = stack[-1]
        raise _refuse(para, tag, f"没有对应的结束标签 {{% end{word} %}}")
    local = {n.name for _, _, ast, _ in parsed for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for para, tag, ast, safe in parsed:
        for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
            why = _unknown(node, context, local, env, safe)
            if why:
                raise _refuse(para, tag, why)


def _chain(node) -> tuple[str, list[Any]] | None:
    """``a.b['c'].d`` -> (``a``, [``b``, ``c``, ``d``]); None when not a plain chain."""
    keys: list[Any] = []
    while isinstance(node, (nodes.Getattr, nodes.Getitem)):
        if isinstance(node, nodes.Getattr):
            keys.append(node.attr)
        elif isinstance(node.arg, nodes.Const):
            keys.append(node.arg.value)
        else:
            return None
        node = node.node
    if not isinstance(node, nodes.Name) or node.ctx != "load":
        return None
    return node.name, keys[::-1]


def _unknown(node, context: dict, local: set[str], env, safe: frozenset[str] = frozenset()) -> str | None:
    """Why ``node`` names no field (a reason in Chinese), or None when it does (or cannot be told).

    A field inside ``{% if field is defined %}`` (``safe``) is not required to exist."""
    chain = _chain(node)
    if chain is None:
        return None
    root, keys = chain
    names = [root, *map(str, keys)]
    if any(".".join(names[:i]) in safe for i in range(1, len(names) + 1)):
        return None
    if root in local or root in env.globals or root in ("loop", "caller", "varargs", "kwargs"):
        return None
    if root not in context:
        return f"“{root}”不是可用的字段（可用：{'、'.join(k for k in context if not k.startswith('_'))}）"
    value = context[root]
    path = root
    for key in keys:
        if isinstance(value, dict):
            if key in value:
                value = value[key]
            elif isinstance(value, Tally) and value.knows(key):
                value = value[key]
            elif isinstance(key, str) and key in _DICT_METHODS:
                return None
            else:
                known = "、".join(str(k) for k in value) or "（此期间没有任何项）"
                return f"“{path}”没有“{key}”这一项（现有：{known}）"
        elif isinstance(value, (str, int, float)) or value is None:
            return f"“{path}”是一个数值，没有“{key}”"
        else:
            return None
        path = f"{path}.{key}"
    return None


def _undefined_name(exc: UndefinedError) -> str | None:
    m = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'|has no element '?([^']+?)'?$", str(exc))
    return next((g for g in m.groups() if g), None) if m else None


def render(template_path: Path, context: dict, config: Config) -> bytes:
    """Fill the template at ``template_path`` with ``context``; the document, as bytes."""
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate

    name = template_path.name
    try:
        data = template_path.read_bytes()
    except OSError as exc:
        raise TemplateRefused(f"无法读取模板 {name}（{os_error_zh(exc)}）") from None
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError, Exception) as exc:  # noqa: BLE001
        raise TemplateRefused(f"模板 {name} 不是可用的 Word 文档（.docx）：{type(exc).__name__}") from None
    env = make_environment(config)
    check_template(document, context, env)
    tpl = DocxTemplate(io.BytesIO(data))
    try:
        tpl.render(context, jinja_env=env, autoescape=True)
    except UndefinedError as exc:
        raise _locate_undefined(document, exc) from None
    except TemplateSyntaxError as exc:
        raise TemplateRefused(f"模板 {name} 无法解析（第{exc.lineno}行：{exc.message}）") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateRefused(f"模板 {name} 无法填写：{reason_zh(exc)}") from None
    except SecurityError as exc:  # the sandbox's refusal: our own words when the guard above said it
        why = str(exc) if any("\u4e00" <= c <= "\u9fff" for c in str(exc)) else "用到了模板中不允许的操作"
        raise TemplateRefused(f"模板 {name} 无法填写：{why}") from None
    out = io.BytesIO()
    tpl.save(out)
    _check_filled(out.getvalue())
    return out.getvalue()


def _locate_undefined(document, exc: UndefinedError) -> TemplateRefused:
    name = _undefined_name(exc)
    if name:
        for para in paragraphs(document):
            for tag, kind, inner in _tags(para):
                if kind != "{#" and name in inner:
                    return _refuse(para, tag, f"“{name}”没有对应的数字")
    return TemplateRefused(f"模板中有标签没有对应的数字（{exc.message}）")


def _check_filled(data: bytes) -> None:
    """The filled document has no empty value and no tag left."""
    from docx import Document

    for para in paragraphs(Document(io.BytesIO(data))):
        if _EMPTY in para.text:
            raise TemplateRefused(f"模板填写后{para.describe()}中有标签的值为空（▲处），请用 "
                                  f"{{% if … is not none %}} 判断后再写")
        for piece in ("{{", "{%"):
            if piece in para.text:
                raise TemplateRefused(f"模板填写后{para.describe()}中仍有未填写的标签")
