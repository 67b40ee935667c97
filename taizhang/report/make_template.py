"""Make the default report template, ``taizhang/report/data/default.docx``.

    python -m taizhang.report.make_template            # rewrites the shipped file
    python -m taizhang.report.make_template OUT.docx

The template is an ordinary Word document with docxtpl's Jinja tags, so the default and an
office's own template are filled the same way.  Layout per GB/T 9704-2012: A4, margins 37 /
35 / 28 / 26 mm, title 二号 方正小标宋简体, body 三号 仿宋_GB2312 at a fixed 28.95 pt (22 lines
on the 225 mm text block, 28 characters a line), headings 一、 in 黑体 and （一） in 楷体,
page numbers "— 1 —" in 四号 宋体 (odd pages right, even pages left, one character in).
The output is byte for byte the same on every run (fixed dates in the package).
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

from taizhang.kinds import kinds
from taizhang.kinds.base import ReportSection
from taizhang.report import DEFAULT_TEMPLATE

#: twips (1/20 pt): the fixed line pitch giving 22 lines on the 225 mm text block
LINE_PITCH = 579
BODY_PT, TITLE_PT, PAGE_NUMBER_PT = 16, 22, 14
#: twentieths of a point taken off each character of the body: 28 × 15.75 pt fit the 442 pt line
CONDENSE = -5
FANGSONG, FANGSONG_FALLBACK = "仿宋_GB2312", "仿宋"
XIAOBIAOSONG, XIAOBIAOSONG_FALLBACK = "方正小标宋简体", "宋体"
HEITI, KAITI, SONGTI = "黑体", "楷体", "宋体"
LATIN = "Times New Roman"
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}

# A figure with its phrase is only written when there is one; a section without data says so.
NOW = "now"  # the template variable: 本月 for a month (本季度, 本半年, 本期), else the period's label


def _fonts(rpr, east_asia: str, latin: str = LATIN) -> None:
    """Explicit font names (no theme fonts, which would win over them), East Asian included."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:hint"), "eastAsia")


def _el(tag: str, **attrs):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), str(v))
    return el


def _paragraph_style(styles, style_id: str, name: str, *, font: str, size: float, bold: bool = False,
                     align: str = "both", first_line_chars: int = 200, outline: int | None = None,
                     right_chars: int = 0):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.shared import Pt

    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    _fonts(rpr, font)
    if size == BODY_PT:  # 28 characters on the 156 mm line: 16 pt less 0.25 pt each
        rpr.append(_el("w:spacing", val=CONDENSE))
    ppr = style.element.get_or_add_pPr()
    for tag in ("w:spacing", "w:ind", "w:jc", "w:outlineLvl"):
        for old in ppr.findall(qn(tag)):
            ppr.remove(old)
    ppr.append(_el("w:spacing", before=0, after=0, line=LINE_PITCH, lineRule="exact"))
    ind = {"firstLineChars": first_line_chars, "firstLine": first_line_chars * BODY_PT // 5} if first_line_chars \
        else {"firstLine": 0}
    if right_chars:
        ind.update(rightChars=right_chars, right=right_chars * BODY_PT // 5)
    ppr.append(_el("w:ind", **ind))
    ppr.append(_el("w:jc", val=align))
    if outline is not None:  # a heading stays with the paragraph it heads
        ppr.insert(0, _el("w:keepNext"))
        ppr.append(_el("w:outlineLvl", val=outline))
    return style


def _declare_fonts(document) -> None:
    """Font table entries: Word substitutes ``altName`` where the font itself is missing."""
    from docx.oxml.ns import qn

    part = next(p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    from lxml import etree

    root = etree.fromstring(part.blob)
    # a Chinese Windows has 黑体, 楷体, 宋体 and 仿宋 (SimHei, KaiTi, SimSun, FangSong); 仿宋_GB2312 and
    # 方正小标宋简体 are installed by offices that follow GB/T 9704 and fall back to 仿宋 and 宋体
    for name, alt, family in ((FANGSONG, FANGSONG_FALLBACK, "modern"), (XIAOBIAOSONG, XIAOBIAOSONG_FALLBACK, "script"),
                              (HEITI, "SimHei", "modern"), (KAITI, "KaiTi", "modern"), (SONGTI, "SimSun", "auto"),
                              (FANGSONG_FALLBACK, "FangSong", "modern")):
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        if alt:
            etree.SubElement(font, qn("w:altName")).set(qn("w:val"), alt)
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), family)
        etree.SubElement(font, qn("w:pitch")).set(qn("w:val"), "fixed" if family == "modern" else "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph, align: str) -> None:
    """``— N —`` with N a PAGE field; 四号 宋体, one character in from the edge."""
    from docx.shared import Pt

    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(_el("w:ind", **({"right": 280, "rightChars": 100} if align == "right" else
                               {"left": 280, "leftChars": 100})))
    ppr.append(_el("w:jc", val=align))

    def run(text: str | None = None, field: str | None = None, instr: str | None = None):
        r = paragraph.add_run()
        r.font.size = Pt(PAGE_NUMBER_PT)
        _fonts(r._r.get_or_add_rPr(), SONGTI, SONGTI)
        if field:
            r._r.append(_el("w:fldChar", fldCharType=field))
        elif instr:
            el = _el("w:instrText")
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            el.text = instr
            r._r.append(el)
        else:
            r.text = text
        return r

    run("— ")
    run(field="begin")
    run(instr=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


#: 一、二、… for the parts of the report (index 1 is 一).
NUMERALS = ("", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五")


def build(path: Path) -> None:
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    # page: A4 and the GB/T 9704 margins; footer 7 mm below the text block's edge
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(23)
    section.gutter = 0
    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    # a line grid only: a character grid (linesAndChars) is laid out differently by Word,
    # WPS and LibreOffice; 28 characters a line come from the condensed spacing below
    sect.append(_el("w:docGrid", type="lines", linePitch=LINE_PITCH))
    doc.settings.odd_and_even_pages_header_footer = True

    # styles: defaults, Normal and the five styles of the report
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr, FANGSONG)
    rpr.find(qn("w:sz")).set(qn("w:val"), str(BODY_PT * 2))
    rpr.find(qn("w:szCs")).set(qn("w:val"), str(BODY_PT * 2))
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    ppr.find(qn("w:spacing")).attrib.clear()
    ppr.find(qn("w:spacing")).attrib.update({qn("w:before"): "0", qn("w:after"): "0",
                                             qn("w:line"): str(LINE_PITCH), qn("w:lineRule"): "exact"})
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element.get_or_add_rPr(), FANGSONG)
    title = _paragraph_style(styles, "GwTitle", "公文标题", font=XIAOBIAOSONG, size=TITLE_PT, align="center",
                             first_line_chars=0)
    title.element.get_or_add_pPr().insert(0, _el("w:snapToGrid", val=0))
    _paragraph_style(styles, "GwBody", "公文正文", font=FANGSONG, size=BODY_PT)
    _paragraph_style(styles, "GwHeading1", "公文一级标题", font=HEITI, size=BODY_PT, outline=0)
    _paragraph_style(styles, "GwHeading2", "公文二级标题", font=KAITI, size=BODY_PT, outline=1)
    _paragraph_style(styles, "GwSignature", "公文落款", font=FANGSONG, size=BODY_PT, align="right",
                     first_line_chars=0, right_chars=400)
    footer_style = _paragraph_style(styles, "GwPageNumber", "公文页码", font=SONGTI, size=PAGE_NUMBER_PT,
                                    first_line_chars=0)
    _declare_fonts(doc)

    def p(text: str, style: str = "公文正文", note: bool = False):
        para = doc.add_paragraph(style=style)
        run = para.add_run(text)
        if note:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return para

    def tag(text: str):  # a paragraph holding only a docxtpl block tag: it disappears when filled
        return doc.add_paragraph(text, style="公文正文")

    # --- the words -----------------------------------------------------------------------------
    tag("{%p set now = period_heading if year_to_date is defined else period_label if period != 'all' "
        "else '截至' ~ (as_of | cndate) ~ '，' %}")
    tag("{%p set span = period_label if period != 'all' else '' %}")
    for d in kinds():
        for text in d.report_preamble:
            tag(text)
    tag("{%p set ytd = '截至' ~ period_end_label ~ '底，全年累计' %}")
    p("关于{{ span }}纪检监察工作情况的汇报", "公文标题")
    p("", "公文标题")
    tag("{%p if blocking_errors or unreadable or complaints.undated or refunds.undated or sanctions.undated "
        "or (activities is defined and (activities.undated or activities.unknown_category)) %}")
    p("【写作提示，定稿前删除本段】{% if blocking_errors %}以下台账有错误，相关数字可能不准确，请先核对："
      "{{ blocking_errors | error_list }}。{% endif %}"
      "{% if unreadable %}无法读取、未计入的文件：{% for u in unreadable %}{{ u.path | file_name }}"
      "{% if not loop.last %}、{% endif %}{% endfor %}。{% endif %}"
      "{% if complaints.undated or refunds.undated or sanctions.undated %}未填写日期、未计入{{ now }}的记录："
      "{{ {'信访举报': complaints.undated, '退费': refunds.undated, '处分': sanctions.undated} | counts('条') }}。"
      "{% endif %}{% if activities is defined and activities.undated %}工作开展台账中未填写日期、未计入{{ now }}的记录"
      "{{ activities.undated }}条。{% endif %}{% if activities is defined and activities.unknown_category %}"
      "工作开展台账中活动类别未填写或无法识别的记录{{ activities.unknown_category }}条，未归入任何类别。{% endif %}",
      note=True)
    tag("{%p endif %}")
    p("现将{{ span }}纪检监察工作情况汇报如下（数据截至{{ as_of | cndate }}）。")

    out = SimpleNamespace(p=p, tag=tag)  # what a kind's part is written with (kinds.base.ReportWriter)
    compared: set[str] = set()  # kinds whose comparison is written (under their first part)

    def two_parts(number: str, part: ReportSection, block: str) -> None:
        p(f"{number}、{part.title}", "公文一级标题")
        tag("{%p if year_to_date is defined %}")  # a month (quarter …): 本月 (本季度 …), then 全年累计; else one part
        p("（一）{{ now }}情况", "公文二级标题")
        tag("{%p endif %}")
        part.write(out, block, "{{ now }}")
        if block not in compared:  # with --compare: 较上月…，同比… where there is a comparison
            compared.add(block)
            tag(f"{{%p if compare is defined and compare.sentences['{block}'] %}}")
            p(f"{{{{ compare.sentences['{block}'] }}}}")
            tag("{%p endif %}")
        tag("{%p if year_to_date is defined %}")
        p("（二）全年累计情况", "公文二级标题")
        part.write(out, f"year_to_date.{block}", part.ytd_when)
        tag("{%p endif %}")

    # each kind's parts, numbered: those always there first, then those under a guard
    parts = sorted(((s, d.kind.value) for d in kinds() for s in d.report_sections()),
                   key=lambda sk: (sk[0].guard is not None, sk[0].order))
    guards = list(dict.fromkeys(s.guard for s, _k in parts if s.guard is not None))
    if len(guards) > 1:
        raise NotImplementedError("report parts under more than one guard")
    number = 0
    for guard in (None, *guards):
        under = [(s, k) for s, k in parts if s.guard == guard]
        if guard is not None:
            tag(f"{{%p if {guard} %}}")
        for part, kind in under:
            number += 1
            two_parts(NUMERALS[number], part, kind)
        if guard is not None:
            tag("{%p endif %}")
    always = sum(1 for s, _k in parts if s.guard is None)
    last = (f"{{{{ '{NUMERALS[number + 1]}' if {guards[0]} else '{NUMERALS[always + 1]}' }}}}" if guards
            else NUMERALS[number + 1])
    p(f"{last}、下一步工作", "公文一级标题")
    # the signature never stands alone on a page: the last paragraph, the blank line, the
    # bureau and the date keep together
    p("【请在此填写下一步工作安排（一般三至五项），定稿前删除本提示。】", note=True).paragraph_format.keep_with_next = True
    p("", "公文正文").paragraph_format.keep_with_next = True
    p("{{ bureau }}", "公文落款").paragraph_format.keep_with_next = True
    p("{{ as_of | cndate }}", "公文落款")

    # footers: odd pages right, even pages left
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        footer.is_linked_to_previous = False
        para = footer.paragraphs[0]
        para.style = footer_style
        _page_number(para, align)

    core = doc.core_properties
    fixed = datetime(2026, 1, 1)
    core.author = core.last_modified_by = "taizhang"
    core.title = "纪检监察工作情况汇报（模板）"
    core.created = core.modified = fixed
    core.last_printed = fixed
    core.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    _write_reproducibly(buffer.getvalue(), path)


def _write_reproducibly(data: bytes, path: Path) -> None:
    """The package with fixed entry dates and without the stock thumbnail: the same bytes every run."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            if info.filename == "_rels/.rels":
                blob = re.sub(rb'<Relationship [^>]*thumbnail[^>]*/>', b"", blob)
            if info.filename == "[Content_Types].xml":
                blob = blob.replace(b'<Default Extension="jpeg" ContentType="image/jpeg"/>', b"")
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, blob)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_TEMPLATE
    build(target)
    print(target)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
