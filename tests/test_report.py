"""``taizhang report``: the 情况汇报 as a Word document, read back with python-docx, filled from
an office's own template, refused for a bad one, and rendered with LibreOffice."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from taizhang.cli import main
from taizhang.report import DEFAULT_TEMPLATE, ReportError, TemplateRefused
from taizhang.usecases.report import make_report
from taizhang.report.make_template import build
from fixtures import AS_OF, write_xlsx

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples" / "2026-10"
ARGS = [str(SAMPLES), "--as-of", "2026-10-31"]


def _run(capsys, argv):
    status = main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    """The sample month's report and ``summary --json`` of the same files, through the CLI."""
    out = tmp_path_factory.mktemp("report") / "汇报.docx"
    capture = pytest.CaptureFixture  # noqa: F841 - module fixtures cannot use capsys; call main with io
    import contextlib
    import io

    buf, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
        status = main(["report", *ARGS, "-o", str(out), "--json"])
    report_json = json.loads(buf.getvalue())
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        summary_status = main(["summary", *ARGS, "--json"])
    return out, status, report_json, summary_status, json.loads(buf.getvalue()), err.getvalue()


def _all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer):
            parts += [p.text for p in footer.paragraphs]
    return "\n".join(parts)


def _style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def _effective(paragraph, attr: str):
    """A run property as Word resolves it: run, paragraph style chain, document defaults."""
    doc_defaults = paragraph.part.package.main_document_part.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    styles = paragraph.part.package.main_document_part.document.styles
    style = styles.get_by_id(paragraph._p.style, docx.enum.style.WD_STYLE_TYPE.PARAGRAPH) if paragraph._p.style \
        else styles.default(docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    candidates = [r._r.rPr for r in paragraph.runs[:1]] + [s.element.rPr for s in _style_chain(style)]
    for rpr in [*candidates, doc_defaults]:
        if rpr is None:
            continue
        if attr == "size" and rpr.find(qn("w:sz")) is not None:
            return int(rpr.find(qn("w:sz")).get(qn("w:val"))) / 2
        if attr in ("eastAsia", "ascii") and rpr.find(qn("w:rFonts")) is not None:
            fonts = rpr.find(qn("w:rFonts"))
            assert fonts.get(qn(f"w:{attr}Theme")) is None  # a theme font would win over the name
            if fonts.get(qn(f"w:{attr}")):
                return fonts.get(qn(f"w:{attr}"))
    return None


def _line_rule(paragraph):
    for style in [paragraph, *_style_chain(paragraph.style)]:
        fmt = style.paragraph_format
        if fmt.line_spacing is not None:
            return fmt.line_spacing_rule, fmt.line_spacing
    raise AssertionError("no line spacing")


# --- layout ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_layout_follows_gb_t_9704(sample_report):
    out = sample_report[0]
    document = docx.Document(out)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 (in twips)
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    text_height_pt = (297 - 37 - 35) / 25.4 * 72
    pitch = int(grid.get(qn("w:linePitch"))) / 20
    assert int(text_height_pt // pitch) == 22  # 22 lines a page
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0]
    assert title.text == "关于2026年10月纪检监察工作情况的汇报"
    assert _effective(title, "size") == 22 and _effective(title, "eastAsia") == "方正小标宋简体"
    h1 = [p for p in paragraphs if re.match(r"[一二三四五六七八九]、", p.text)]
    h2 = [p for p in paragraphs if re.match(r"（[一二三四五六七八九]）", p.text)]
    assert [p.text for p in h1] == ["一、信访举报办理情况", "二、问题整改情况", "三、违规收费清退情况",
                                    "四、问责处理情况", "五、学习教育和警示教育情况", "六、宣传、制度和监督工作情况",
                                    "七、下一步工作"]  # the sample units keep activity ledgers
    assert len(h2) == 12
    assert {_effective(p, "eastAsia") for p in h1} == {"黑体"}
    assert {_effective(p, "eastAsia") for p in h2} == {"楷体"}
    body = [p for p in paragraphs[1:] if p not in h1 and p not in h2]
    assert len(body) > 10
    for p in paragraphs[1:]:
        assert _effective(p, "size") == 16, p.text
        assert _line_rule(p)[0] == docx.enum.text.WD_LINE_SPACING.EXACTLY
        assert abs(_line_rule(p)[1].pt - pitch) < 0.01
    assert {_effective(p, "eastAsia") for p in body} == {"仿宋_GB2312"}
    # Word falls back from 仿宋_GB2312 to 仿宋 (and from 方正小标宋简体 to 宋体) through the font table
    with zipfile.ZipFile(out) as z:
        table = z.read("word/fontTable.xml").decode()
    assert re.search(r'w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>', table)
    assert re.search(r'w:name="方正小标宋简体"><w:altName w:val="宋体"/>', table)
    for name, windows in (("黑体", "SimHei"), ("楷体", "KaiTi"), ("宋体", "SimSun"), ("仿宋", "FangSong")):
        assert re.search(rf'w:name="{name}"><w:altName w:val="{windows}"/>', table), name  # Windows' own names
    # page numbers: — N — with a PAGE field, odd pages right, even pages left
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in "".join(t.text for t in footer._element.iter(qn("w:instrText")))
        assert footer.paragraphs[0].text == "— 1 —"
        assert f'w:jc w:val="{align}"' in xml
        assert _effective(footer.paragraphs[0], "size") == 14


def test_nothing_left_unfilled_and_no_complainant(sample_report):
    text = _all_text(docx.Document(sample_report[0]))
    for leftover in ("{{", "}}", "{%", "%}", "XX", "None", "0件", "0个", "0人"):
        assert not re.search(rf"(?<![\d,.]){re.escape(leftover)}", text), leftover
    # the writer's marked (highlighted) paragraphs: errors in the ledgers, and 下一步工作
    marked = [p.text for p in docx.Document(sample_report[0]).paragraphs
              if p.runs and p.runs[0].font.highlight_color == docx.enum.text.WD_COLOR_INDEX.YELLOW]
    assert len(marked) == 2
    assert marked[0].startswith("【写作提示") and "以下台账有错误" in marked[0]
    assert marked[1].startswith("【请在此填写下一步工作安排")


# --- figures --------------------------------------------------------------------------------

def _yuan(amount: str) -> str:
    value = Decimal(amount)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _paragraph_after(paragraphs: list[str], heading: str, start: str) -> str:
    i = paragraphs.index(heading)
    return next(p for p in paragraphs[i:] if p.startswith(start))


def _sum_phrase(text: str, lead: str, unit: str, end: str = "；。") -> int:
    phrase = re.search(rf"{lead}，(.*?)[{end}]", text).group(1)
    return sum(int(n) for n in re.findall(rf"(\d+){unit}", phrase))


def test_every_figure_is_the_summarys_and_breakdowns_add_up(sample_report):
    out, status, report_json, summary_status, summary, err = sample_report
    assert status == summary_status == 1  # the sample ledgers have planted errors
    assert report_json["output"] == str(out) and report_json["period_label"] == "2026年10月"
    for key in ("complaints", "refunds", "sanctions", "rectification", "year_to_date", "blocking_errors",
                "unreadable", "narrative", "bureau", "period", "as_of"):
        assert report_json[key] == summary[key], key
    assert "县第二中学_10月台账.xlsx" in err
    paragraphs = [p.text for p in docx.Document(out).paragraphs]
    for block, heading, when in (("now", "（一）本月情况", "本月"),
                                 ("ytd", "（二）全年累计情况", "截至2026年10月底，")):
        figs = summary if block == "now" else summary["year_to_date"]
        c, f, s, r = figs["complaints"], figs["refunds"], figs["sanctions"], figs["rectification"]
        sections = [i for i, p in enumerate(paragraphs) if p == heading]
        complaints = [p for p in paragraphs[sections[0]:sections[1]] if p.startswith(when)][0]
        assert f"共受理信访举报{c['total']}件" in complaints
        for source, n in c["by_source"].items():
            assert f"{source}件{n}件" in complaints
        for lead in ("按来源分", "按方式分", "按问题类别分", "按处置方式分"):
            assert _sum_phrase(complaints, lead, "件") == c["total"], lead
        handling = paragraphs[paragraphs.index(complaints) + 1]
        assert f"已办结{c['closed']}件" in handling and f"属实的{c['substantiated']}件" in handling
        assert _sum_phrase("x，" + handling.split("，", 1)[1], "x", "件") == c["total"]
        rect = [p for p in paragraphs[sections[1]:sections[2]] if p.startswith(when)][0]
        assert f"问题{r['total']}个" in rect
        assert _sum_phrase(rect, "其中" if False else rf"问题{r['total']}个", "个") == r["total"]
        assert _sum_phrase(rect, "按问题来源分", "个") == r["total"]
        refunds = [p for p in paragraphs[sections[2]:sections[3]] if p.startswith(when)][0]
        assert f"查实违规收费问题{f['cases']}件" in refunds
        assert f"已清退{_yuan(f['refunded'])}元" in refunds and f"应退金额{_yuan(f['due'])}元" in refunds
        assert _sum_phrase(refunds, "按收费项目分", "件", "。") == f["cases"]
        assert _sum_phrase(refunds, "按学校分", "件", "。") == f["cases"]
        by_item = re.search(r"按收费项目分，(.*?)。", refunds).group(1)
        assert sum(Decimal(a.replace(",", "")) for a in re.findall(r"已退([\d,.]+)元", by_item)) == Decimal(f["refunded"])
        sanctions = [p for p in paragraphs[sections[3]:] if p.startswith(when)][0]
        assert f"共问责处理{s['persons']}人、{s['person_times']}人次" in sanctions
        forms = re.search(r"“四种形态”，(.*?)。", sanctions).group(1)
        assert sum(int(n) for n in re.findall(r"(\d+)人次", forms)) == s["person_times"]
        for form, n in s["by_form"].items():
            assert (f"{form}{n}人次" in forms) == bool(n)
        # the activity ledger: each group led by its total, which its categories' 次 add up to
        a = figs["activities"]
        lead = "本月" if block == "now" else "截至2026年10月底，全年"
        text = "\n".join(paragraphs)
        assert a["by_group"]
        for group, line in a["by_group"].items():
            head = f"{lead}{group}方面，共开展活动{line['count']}次" if group in ("学习教育", "宣传") else \
                f"{group}方面，共开展活动{line['count']}次"
            assert head in text, head
            clause = re.search(rf"{group}方面，共开展活动\d+次[^：]*：(.*?)。", text[text.index(head):]).group(1)
            assert sum(int(n) for n in re.findall(r"(\d+)[次场]", clause)) == line["count"], clause


def test_output_never_overwrites_an_input_ledger_nor_the_template(tmp_path, capsys):
    ledger = tmp_path / "台账.docx"
    shutil.copy(SAMPLES / "县第二中学_10月台账.xlsx", tmp_path / "县第二中学_10月台账.xlsx")
    source = tmp_path / "县第二中学_10月台账.xlsx"
    before = source.read_bytes()
    status, out, err = _run(capsys, ["report", str(source), "--as-of", "2026-10-31", "-o", str(source)])
    assert status == 2 and "不能写入被统计的台账" in err and source.read_bytes() == before
    template = tmp_path / "t.docx"
    shutil.copy(DEFAULT_TEMPLATE, template)
    status, out, err = _run(capsys, ["report", str(source), "--as-of", "2026-10-31", "--template", str(template),
                                     "-o", str(template)])
    assert status == 2 and "不能覆盖模板" in err
    assert not ledger.exists()


def test_a_month_without_data_says_so_in_a_sentence(tmp_path):
    path = write_xlsx(tmp_path / "九月.xlsx", {
        "信访举报台账": [["收件日期", "来源", "方式", "问题类别", "办理状态", "办结日期"],
                         ["2026-09-03", "自办", "来信", "违规收费", "办结", "2026-09-20"]],
    })
    result = make_report([path], tmp_path / "十月.docx", as_of=AS_OF)
    assert result.exit_status == 0
    paragraphs = [p.text for p in docx.Document(result.output).paragraphs if p.text]
    for sentence in ("本月未受理信访举报。", "本月未发现新的需整改问题。", "本月未查实违规收费问题。",
                     "本月没有问责处理人员。", "截至2026年10月底，全年累计共受理信访举报1件。"):
        assert any(p.startswith(sentence) for p in paragraphs), sentence
    text = "\n".join(paragraphs)
    assert not re.search(r"(?<![\d,.])0(件|个|人|元)", text)
    assert "写作提示" not in text  # nothing to warn the writer about
    assert "学习教育" not in text and "五、下一步工作" in paragraphs  # no activity ledger given


def test_an_activity_ledger_without_this_months_rows_says_so(tmp_path):
    path = write_xlsx(tmp_path / "工作.xlsx", {
        "工作开展台账": [["日期", "活动类别", "活动内容", "次数", "参与人次"],
                         ["2026-09-10", "专题学习", "学习条例", 2, 80],
                         ["2026-09-20", "监督检查", "食堂检查", 1, None]],
    })
    result = make_report([path], tmp_path / "十月.docx", as_of=AS_OF)
    assert result.exit_status == 0
    paragraphs = [p.text for p in docx.Document(result.output).paragraphs if p.text]
    for sentence in ("五、学习教育和警示教育情况", "本月未开展学习教育和警示教育活动。",
                     "截至2026年10月底，全年学习教育方面，共开展活动2次、参与80人次：",
                     "六、宣传、制度和监督工作情况", "本月未开展宣传、制度建设和监督检查工作。",
                     "截至2026年10月底，全年监督方面，共开展活动1次：", "七、下一步工作"):
        assert any(p.startswith(sentence) for p in paragraphs), sentence


def test_the_default_template_is_made_by_the_committed_script(tmp_path):
    build(tmp_path / "again.docx")
    assert (tmp_path / "again.docx").read_bytes() == DEFAULT_TEMPLATE.read_bytes()


def test_write_template_starts_an_own_template_from_the_default(tmp_path, capsys):
    target = tmp_path / "本单位模板.docx"
    status, out, _ = _run(capsys, ["report", "--write-template", str(target)])
    assert status == 0 and target.read_bytes() == DEFAULT_TEMPLATE.read_bytes() and "--template" in out
    status, _, err = _run(capsys, ["report", "--write-template", str(target)])
    assert status == 2 and "已存在" in err


# --- an office's own template ---------------------------------------------------------------

def _own_template(path: Path, *paragraphs: list[str] | str) -> Path:
    """A template as an office writes it in Word: tags may be split over runs, quotes curly."""
    document = docx.Document()
    for para in paragraphs:
        p = document.add_paragraph()
        for piece in ([para] if isinstance(para, str) else para):
            p.add_run(piece)
    document.save(path)
    return path


@pytest.mark.slow
def test_an_own_template_is_filled_from_the_same_figures(tmp_path, sample_report):
    summary = sample_report[4]
    template = _own_template(
        tmp_path / "own.docx",
        "{{ bureau }}{{ period_label }}情况",
        ["本月受理{{ complaints.", "total }}件，其中省转办{{ complaints.by_source[‘省转办’] }}件，",
         "来访{{ complaints.by_channel[“来访”] }}件，其他方式{{ complaints.by_channel['其他'] }}件。"],
        "{%p if refunds.cases %}",
        "退费{{ refunds.refunded | yuan }}元，累计{{ year_to_date.refunds.refunded | yuan }}元。",
        "{%p endif %}",
        "{%p if activities is defined %}",
        "开展活动{{ activities.rows }}。",
        "{%p endif %}")
    result = make_report([SAMPLES], tmp_path / "out.docx", as_of=AS_OF, bureau="某某县教育局", template=template)
    text = [p.text for p in docx.Document(result.output).paragraphs]
    c = summary["complaints"]
    assert text[0] == "某某县教育局2026年10月情况"
    assert text[1] == (f"本月受理{c['total']}件，其中省转办{c['by_source']['省转办']}件，"
                       f"来访{c['by_channel']['来访']}件，其他方式0件。")  # 其他: in the vocabulary, no case
    assert text[2] == (f"退费{_yuan(summary['refunds']['refunded'])}元，"
                       f"累计{_yuan(summary['year_to_date']['refunds']['refunded'])}元。")
    assert len(text) == 3 if "activities" not in summary else len(text) == 4


@pytest.mark.slow
@pytest.mark.parametrize("paragraph, expected", [
    ("本月受理{{ complaints.totl }}件", r"正文第2段（“本月受理\{\{ complaints.totl \}\}件”）中的标签 "
                                        r"\{\{ complaints.totl \}\}：“complaints”没有“totl”这一项"),
    ("其中{{ complaints.by_source['区转办'] }}件", r"正文第2段.*“complaints.by_source”没有“区转办”这一项"),
    ("{{ complants.total }}", r"正文第2段.*“complants”不是可用的字段"),
    ("本月受理{{ complaints.total + }}件", r"正文第2段.*\{\{ complaints.total \+ \}\}：无法解析"),
    ("本月受理{{ complaints.total 件", r"正文第2段.*不完整的标签"),
    ("{% if complaints.total %}本月有信访", r"正文第2段.*\{% if complaints.total %\}：没有对应的结束标签"),
    ("本月{% endif %}", r"正文第2段.*没有对应的开始标签"),
    ("整改完成率{{ rectification.completion_rate }}", r"正文第2段.*值为空"),
])
def test_a_bad_template_is_refused_naming_the_tag_and_its_paragraph(tmp_path, capsys, paragraph, expected):
    empty_month = write_xlsx(tmp_path / "台账.xlsx", {
        "信访举报台账": [["收件日期", "来源"], ["2026-10-03", "自办"]]})
    template = _own_template(tmp_path / "bad.docx", "标题", paragraph, "结尾")
    with pytest.raises(TemplateRefused, match=expected):
        make_report([empty_month], tmp_path / "out.docx", as_of=AS_OF, template=template)
    status, out, err = _run(capsys, ["report", str(empty_month), "--as-of", "2026-10-31", "--template",
                                     str(template), "-o", str(tmp_path / "out.docx")])
    assert status == 2 and re.search(expected, err) and not (tmp_path / "out.docx").exists()


def test_a_file_that_is_no_word_document_is_refused_as_template(tmp_path):
    fake = tmp_path / "模板.docx"
    fake.write_text("这不是 Word 文档", encoding="utf-8")
    with pytest.raises(ReportError, match="不是可用的 Word 文档"):
        make_report([SAMPLES / "城关小学_2026年10月台账.xlsx"], tmp_path / "o.docx", as_of=AS_OF, template=fake)


# --- rendered -------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.render
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm") and shutil.which("pdfinfo")),
                    reason="LibreOffice 或 poppler-utils 未安装")
def test_renders_as_a4_pages_of_22_lines_with_page_numbers(tmp_path, sample_report):
    source = tmp_path / "汇报.docx"
    shutil.copy(sample_report[0], source)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "汇报.pdf"
    info = subprocess.run(["pdfinfo", "-box", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    boxes = re.findall(r"MediaBox:\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)", info)
    assert len(boxes) == pages and all((round(float(w)), round(float(h))) == (595, 842) for w, h in boxes)
    assert 3 <= pages <= 8
    lines_per_page = []
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        lines = [ln for ln in text.splitlines() if ln.strip()]
        assert re.fullmatch(rf"—\s*{page}\s*—", lines[-1].strip()), lines[-1]  # the page number
        lines_per_page.append(len(lines) - 1)
    # the signature (bureau and date) stands together, after the last words of the body
    last = [ln.strip().replace(" ", "") for ln in lines[:-1]]
    assert last[-2:] == ["县教育局", "2026年10月31日"] and len(last) > 2
    assert max(lines_per_page) == 22 and all(n <= 22 for n in lines_per_page), lines_per_page
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "第1页")],
                   check=True, timeout=60)
    png = next(tmp_path.glob("第1页*.png"))
    assert png.stat().st_size > 10_000


@pytest.mark.slow
def test_a_year_has_one_part_per_section_without_subheadings(tmp_path):
    result = make_report([SAMPLES], tmp_path / "年度.docx", as_of=AS_OF, period="2026")
    paragraphs = [p.text for p in docx.Document(result.output).paragraphs if p.text]
    assert paragraphs[0] == "关于2026年纪检监察工作情况的汇报"
    assert not any(re.match(r"（[一二]）", p) for p in paragraphs)
    c = result.figures["complaints"]
    assert f"2026年共受理信访举报{c['total']}件。" in "\n".join(paragraphs)
    assert "year_to_date" not in result.figures


def test_activity_sections_follow_the_published_activities_shape(tmp_path, sample_report):
    """The activity ledger's sections, filled from ``activities`` in the shape summary --json
    publishes for it (by_category with count/person_times/quantity/unit, by_group, rows …)."""
    from taizhang.config import default_config
    from taizhang.report.context import template_context
    from taizhang.report.template import render

    summary = json.loads(json.dumps(sample_report[4]))
    summary["activities"] = {
        "by_category": {"专题学习": {"count": 3, "person_times": 150, "quantity": 12, "unit": "篇"},
                        "廉政讲座": {"count": 2, "person_times": 60, "quantity": 0, "unit": None},
                        "宣传信息": {"count": 4, "person_times": 0, "quantity": 9, "unit": "条"}},
        "by_group": {"学习教育": {"count": 5, "person_times": 210}, "宣传": {"count": 4, "person_times": 0}},
        "rows": 7, "unknown_category": 0, "undated": 0}
    summary["year_to_date"]["activities"] = dict(summary["activities"], rows=9)
    config = default_config()
    out = tmp_path / "a.docx"
    out.write_bytes(render(DEFAULT_TEMPLATE, template_context(summary, config), config))
    paragraphs = [p.text for p in docx.Document(out).paragraphs if p.text]
    headings = [p for p in paragraphs if re.match(r"[一二三四五六七]、", p)]
    assert headings[4:] == ["五、学习教育和警示教育情况", "六、宣传、制度和监督工作情况", "七、下一步工作"]
    study = next(p for p in paragraphs if p.startswith("本月学习教育方面"))
    assert study.startswith("本月学习教育方面，共开展活动5次、参与210人次：")
    assert sum(int(n) for n in re.findall(r"(\d+)次", study.split("：", 1)[1])) == 5  # adds up
    assert "12篇" in study and "警示教育方面" not in study
    assert any(p.startswith("本月宣传方面，共开展活动4次：") and "9条" in p for p in paragraphs)


def test_a_missing_template_or_a_wrong_output_name_is_refused(tmp_path, capsys):
    status, _, err = _run(capsys, ["report", *ARGS, "--template", str(tmp_path / "无.docx"), "-o",
                                   str(tmp_path / "o.docx")])
    assert status == 2 and "找不到汇报模板" in err
    status, _, err = _run(capsys, ["report", *ARGS, "-o", str(tmp_path / "o.xlsx")])
    assert status == 2 and ".docx" in err and not (tmp_path / "o.xlsx").exists()
    status, _, err = _run(capsys, ["report", *ARGS])
    assert status == 2 and "-o OUT.docx" in err


@pytest.mark.slow
def test_the_ribbon_button_writes_the_same_document_beside_the_workbook_open_in_excel(tmp_path, monkeypatch):
    """生成汇报 through the live adapter (Excel faked from xlwings' classes): the document of the
    workbook as it is on screen, beside it, with the figures of ``taizhang report`` on that file."""
    from macros.openpyxl_port import OpenpyxlWorkbook
    from macros.ribbon import run
    from macros.xlwings_port import XlwingsWorkbook
    from tests.xl_fakes import FakeExcel, FakeWorkbookInExcel

    monkeypatch.setenv("TAIZHANG_LOG_DIR", str(tmp_path / "logs"))
    unit = tmp_path / "县第二中学_10月台账.xlsx"
    shutil.copy(SAMPLES / unit.name, unit)
    port = OpenpyxlWorkbook(unit)
    run("tz_settings", port)
    port.book["台账设置"]["B3"] = AS_OF.isoformat()
    port.save()
    before = unit.read_bytes()
    opened: list[Path] = []
    fake = FakeWorkbookInExcel(FakeExcel(books=0), unit)
    live = XlwingsWorkbook(fake.book)
    live.open_document = opened.append  # a port's way of opening the document for the writer
    message = run("tz_report", live)
    document = tmp_path / "县第二中学_10月台账_2026年10月情况汇报.docx"
    assert message.startswith(f"已生成情况汇报：{document.name}") and opened == [document]
    assert unit.read_bytes() == before  # the workbook file itself is not written
    cli = make_report([unit], tmp_path / "cli.docx", as_of=AS_OF)
    ribbon_text = [p.text for p in docx.Document(document).paragraphs]
    assert ribbon_text == [p.text for p in docx.Document(cli.output).paragraphs]
    assert f"本月共受理信访举报{cli.figures['complaints']['total']}件" in "\n".join(ribbon_text)


# --- the headings' fonts, rendered ------------------------------------------------------------

#: Free stand-ins from Debian for the fonts a Chinese Windows has (.ci/run installs them): the
#: test maps the document's font names to them through a fontconfig file of its own.
STAND_INS = {
    "方正小标宋简体": "Noto Serif CJK SC", "宋体": "Noto Serif CJK SC", "SimSun": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC", "SimHei": "Noto Sans CJK SC",
    "楷体": "AR PL UKai CN", "楷体_GB2312": "AR PL UKai CN", "KaiTi": "AR PL UKai CN",
    "仿宋_GB2312": "AR PL UMing CN", "仿宋": "AR PL UMing CN", "FangSong": "AR PL UMing CN",
}


def _fontconfig(folder: Path) -> Path:
    """A fontconfig file mapping the document's font names to the stand-ins, then the system's
    configuration: used through FONTCONFIG_FILE by this test's LibreOffice only."""
    aliases = "".join(f"<alias binding=\"strong\"><family>{name}</family><prefer><family>{font}</family></prefer></alias>"
                      for name, font in STAND_INS.items())
    path = folder / "fonts.conf"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<cachedir>{folder / "fc-cache"}</cachedir>{aliases}'
                    f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>', encoding="utf-8")
    return path


def _stand_ins_installed() -> bool:
    if not shutil.which("fc-list"):
        return False
    families = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return all(font in families for font in set(STAND_INS.values()))


@pytest.mark.slow
@pytest.mark.render
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdffonts") and shutil.which("pdftotext")),
                    reason="LibreOffice 或 poppler-utils 未安装")
@pytest.mark.skipif(not _stand_ins_installed(), reason="缺少替代字体（fonts-noto-cjk、fonts-arphic-ukai、fonts-arphic-uming）")
def test_headings_render_in_their_own_fonts_the_title_in_a_song_face(tmp_path, sample_report):
    """Issue 28 item 3: GB/T 9704's 一级 黑体, 二级 楷体, title 小标宋 and body 仿宋 each print in
    its own face (here free stand-ins), so that a heading visibly differs from the body."""
    source = tmp_path / "汇报.docx"
    shutil.copy(sample_report[0], source)
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(tmp_path))}
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180, env=env)
    pdf = tmp_path / "汇报.pdf"
    fonts = subprocess.run(["pdffonts", "-l", "1", str(pdf)], capture_output=True, text=True, check=True).stdout
    used = {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in fonts.splitlines()[2:] if line.strip()}
    faces = {"title": "NotoSerifCJK", "h1": "NotoSansCJK", "h2": "UKai", "body": "UMing"}
    for role, face in faces.items():
        assert any(face.lower() in f.lower() for f in used), (role, face, used)
    # each face where it belongs: the words set in it, read back from the page by poppler
    html = subprocess.run(["pdftohtml", "-i", "-xml", "-stdout", "-f", "1", "-l", "1", str(pdf)],
                          capture_output=True, text=True, check=True).stdout if shutil.which("pdftohtml") else ""
    if html:
        specs = dict(re.findall(r'<fontspec id="(\d+)" size="[\d.]+" family="([^"]+)"', html))
        texts = [(specs[f], re.sub(r"<[^>]+>", "", t)) for f, t in re.findall(r'<text [^>]*font="(\d+)"[^>]*>(.*?)</text>', html)]

        def face_of(start: str) -> str:
            return next(fam for fam, t in texts if t.strip().startswith(start)).replace(" ", "")

        assert "NotoSerifCJK" in face_of("关于")  # the title
        assert "NotoSansCJK" in face_of("一、")
        assert "UKai" in face_of("（一）")
        cjk = [fam for fam, t in texts if re.match(r"[\u4e00-\u9fff]", t.strip())]
        assert max(set(cjk), key=cjk.count).replace(" ", "").endswith("UMingCN")  # the body
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "字体")],
                   check=True, timeout=60)
    assert next(tmp_path.glob("字体*.png")).stat().st_size > 10_000
