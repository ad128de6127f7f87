"""The official-document layout (公文格式) of GB/T 9704-2012, for any .docx the program writes.

《党政机关公文格式》 is how every government office in China lays out what it sends:

- A4 paper; 天头 (top margin) 37 mm, 订口 (left margin) 28 mm, type area 156 × 225 mm, so
  the bottom margin is 35 mm and the right one 26 mm;
- 22 lines of 28 characters per page (the document grid: line pitch 28.95 pt);
- title in 2号 (22 pt) 小标宋, body in 3号 (16 pt) 仿宋 with a two-character first-line
  indent, first-level headings (一、) in 黑体, second-level ones (（一）) in 楷体;
- page numbers "— 1 —" in 4号 (14 pt) 宋体 at the outer edge, one character in: right on
  odd pages, left on even pages, 7 mm below the type area;
- the signature block: the unit's name centred over the date, the date written
  "2026年11月27日" four characters from the right.

The Chinese fonts are set as East Asian fonts (`w:eastAsia`, which is what Word and WPS use
for Chinese text) and each is entered in the document's font table with a fallback
(`w:altName`) that Windows ships, so a machine without 仿宋_GB2312 shows 仿宋 instead of a
Latin font. Fonts are chosen with a `Fonts` value; the styles keep Chinese names so staff find
them in Word's style list (正文, 公文标题, 一级标题 …).

`new_document()` gives a laid-out document; `apply_layout()` lays out an existing one (a
template); the `add_*` helpers write the parts in the right style. Used by the unit's report
(checkin.report) and the county office's roll-up.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document as _new_document
from docx.document import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import Table
from docx.text.paragraph import Paragraph

# ---------------------------------------------------------------- the numbers of the standard

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
TOP_MM = 37
LEFT_MM = 28
TYPE_WIDTH_MM = 156
TYPE_HEIGHT_MM = 225
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TYPE_HEIGHT_MM  # 35
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TYPE_WIDTH_MM  # 26
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
TITLE_PT = 22  # 2号
BODY_PT = 16  # 3号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 12  # 小4号, for table cells
CAPTION_PT = 14
# Twips (1/20 pt): the type area's height over 22 lines (Word's own 公文 templates use 579).
LINE_PITCH_TWIPS = int(TYPE_HEIGHT_MM / 25.4 * 1440 / LINES_PER_PAGE)
# 156 mm hold 27.6 characters of 16 pt: each is drawn 0.25 pt closer so that 28 fit a line.
# (A character grid would do the same in Word, but LibreOffice reads it at twice the width.)
CHAR_SPACING_TWIPS = -5
# 一字线 7 mm below the type area: the footer's text sits in that band.
FOOTER_DISTANCE_MM = BOTTOM_MM - 7 - 5
SIGNATURE_RIGHT_CHARS = 4  # 成文日期右空四字
SIGNATURE_BLANK_LINES = 3  # room for the seal between the text and the signature


@dataclass(frozen=True)
class Font:
    """An East Asian font name with the fallback Word uses when it is not installed."""

    name: str
    fallback: str
    latin: str = "Times New Roman"


@dataclass(frozen=True)
class Fonts:
    title: Font = Font("方正小标宋简体", "宋体")
    body: Font = Font("仿宋_GB2312", "仿宋")
    heading1: Font = Font("黑体", "SimHei")
    heading2: Font = Font("楷体_GB2312", "楷体")
    page_number: Font = Font("宋体", "SimSun")


DEFAULT_FONTS = Fonts()

# Style ids and their names as Word shows them.
STYLE_TITLE = "公文标题"
STYLE_ADDRESSEE = "主送机关"
STYLE_HEADING1 = "一级标题"
STYLE_HEADING2 = "二级标题"
STYLE_SIGNATURE = "发文机关署名"
STYLE_DATE = "成文日期"
STYLE_TABLE = "表格文字"
STYLE_FIGURE = "图片"
STYLE_CAPTION = "图注"
STYLE_PAGE_NUMBER = "页码"
STYLE_NOTE = "附注"


# ---------------------------------------------------------------- small helpers


def date_cn(day: dt.date) -> str:
    """2026-11-27 → 2026年11月27日 (Arabic numerals, no leading zeros, as the standard writes)."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width_chars(text: str) -> float:
    """Width in full-width characters: CJK and full-width forms count 1, others ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5 for ch in text)


# Word refuses properties out of the schema's order: every change is followed by a sort.
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
    "sectPr", "pPrChange",
]  # fmt: skip
_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color",
    "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd",
    "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]  # fmt: skip


def _sort(element: Any, order: list[str]) -> None:
    rank = {qn(f"w:{name}"): n for n, name in enumerate(order)}
    children = list(element)
    children.sort(key=lambda c: rank.get(c.tag, len(order)))
    for child in children:
        element.remove(child)
    for child in children:
        element.append(child)


def _pt_twips(points: float) -> int:
    return round(points * 20)


def _set(element: Any, tag: str, **attrs: str) -> Any:
    """The child `tag` of `element` (created if missing) with `attrs` set (w: namespace)."""
    child = element.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        element.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), value)
    return child


def _replace(element: Any, tag: str, **attrs: str) -> Any:
    old = element.find(qn(tag))
    if old is not None:
        element.remove(old)
    child = OxmlElement(tag)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), value)
    element.append(child)
    return child


def _run_fonts(rpr: Any, font: Font, size_pt: float, *, bold: bool = False, condense: bool = False) -> None:
    """Replace the run properties' fonts (no theme fonts, which would override the names)."""
    tags = ("w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:color", "w:spacing", "w:sz", "w:szCs", "w:lang")
    for tag in tags:
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    fonts.set(qn("w:ascii"), font.latin)
    fonts.set(qn("w:hAnsi"), font.latin)
    fonts.set(qn("w:eastAsia"), font.name)
    fonts.set(qn("w:cs"), font.latin)
    fonts.set(qn("w:hint"), "eastAsia")
    rpr.insert(0, fonts)
    if bold:
        rpr.append(OxmlElement("w:b"))
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "000000")
    rpr.append(color)
    if condense:
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHAR_SPACING_TWIPS))
        rpr.append(spacing)
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), str(round(size_pt * 2)))
        rpr.append(size)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    _sort(rpr, _RPR_ORDER)


def _paragraph_format(
    ppr: Any,
    *,
    align: str = "both",
    first_line_chars: int = 0,
    right_chars: int = 0,
    exact_lines: bool = True,
    keep_next: bool = False,
    outline: int | None = None,
    size_pt: float = BODY_PT,
) -> None:
    """Alignment, indents in characters, and the exact line pitch of the 22-line grid.

    Text larger than the body (the title) does not snap to the grid, which would give
    each of its lines two grid rows.
    """
    for tag in ("w:spacing", "w:ind", "w:jc", "w:keepNext", "w:outlineLvl", "w:snapToGrid", "w:pBdr"):
        old = ppr.find(qn(tag))
        if old is not None:
            ppr.remove(old)
    if keep_next:
        ppr.append(OxmlElement("w:keepNext"))
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    if exact_lines:
        spacing.set(qn("w:line"), str(LINE_PITCH_TWIPS))
        spacing.set(qn("w:lineRule"), "exact")
    else:
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)
    ind = OxmlElement("w:ind")
    ind.set(qn("w:left"), "0")
    ind.set(qn("w:leftChars"), "0")
    ind.set(qn("w:right"), str(_pt_twips(size_pt * right_chars)))
    ind.set(qn("w:rightChars"), str(right_chars * 100))
    ind.set(qn("w:firstLine"), str(_pt_twips(size_pt * first_line_chars)))
    ind.set(qn("w:firstLineChars"), str(first_line_chars * 100))
    ppr.append(ind)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), align)
    ppr.append(jc)
    if size_pt != BODY_PT:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr.append(snap)
    if outline is not None:
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline))
        ppr.append(level)
    _sort(ppr, _PPR_ORDER)


def _paragraph_style(document: Document, name: str, base: str | None = "Normal") -> Any:
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.quick_style = True
    if base:
        style.base_style = styles[base]
    return style


# ---------------------------------------------------------------- layout


def _font_table(document: Document, fonts: Fonts) -> None:
    """Enter each Chinese font in the font table with its fallback (`w:altName`, GB2312 charset)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    part = document.part
    table_part = None
    for rel in part.rels.values():
        if rel.reltype == RT.FONT_TABLE:
            table_part = rel.target_part
    if table_part is None:  # pragma: no cover - python-docx's default document has one
        return
    from lxml import etree  # type: ignore[import-untyped]

    root = etree.fromstring(table_part.blob)
    known = {f.get(qn("w:name")): f for f in root.findall(qn("w:font"))}
    for font in (fonts.title, fonts.body, fonts.heading1, fonts.heading2, fonts.page_number):
        entry = known.get(font.name)
        if entry is None:
            entry = etree.SubElement(root, qn("w:font"))
            entry.set(qn("w:name"), font.name)
            known[font.name] = entry
        for child in list(entry):
            entry.remove(child)
        if font.fallback and font.fallback != font.name:
            etree.SubElement(entry, qn("w:altName")).set(qn("w:val"), font.fallback)
        etree.SubElement(entry, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(entry, qn("w:family")).set(qn("w:val"), "auto")
        etree.SubElement(entry, qn("w:pitch")).set(qn("w:val"), "variable")
    table_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(document: Document, fonts: Fonts) -> None:
    styles = document.styles.element
    # Document defaults: Chinese body font, zh-CN for East Asian text.
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = _set(defaults, "w:rPrDefault")
        rpr = _set(rpr_default, "w:rPr")
        _run_fonts(rpr, fonts.body, BODY_PT, condense=True)
    normal = document.styles["Normal"]
    _run_fonts(normal.element.get_or_add_rPr(), fonts.body, BODY_PT, condense=True)
    _paragraph_format(normal.element.get_or_add_pPr(), first_line_chars=2)

    layout: list[tuple[str, Font, float, dict[str, Any]]] = [
        # name, font, size, paragraph options
        (STYLE_TITLE, fonts.title, TITLE_PT, {"align": "center", "outline": 0, "size_pt": TITLE_PT}),
        (STYLE_ADDRESSEE, fonts.body, BODY_PT, {"align": "both"}),
        (STYLE_HEADING1, fonts.heading1, BODY_PT, {"first_line_chars": 2, "keep_next": True, "outline": 1}),
        (STYLE_HEADING2, fonts.heading2, BODY_PT, {"first_line_chars": 2, "keep_next": True, "outline": 2}),
        (STYLE_SIGNATURE, fonts.body, BODY_PT, {"align": "right"}),
        (STYLE_DATE, fonts.body, BODY_PT, {"align": "right", "right_chars": SIGNATURE_RIGHT_CHARS}),
        (STYLE_NOTE, fonts.body, BODY_PT, {"first_line_chars": 2}),
        (STYLE_TABLE, fonts.body, TABLE_PT, {"align": "center", "exact_lines": False, "size_pt": TABLE_PT}),
        (STYLE_FIGURE, fonts.body, BODY_PT, {"align": "center", "exact_lines": False}),
        (STYLE_CAPTION, fonts.body, CAPTION_PT,
         {"align": "center", "exact_lines": False, "size_pt": CAPTION_PT}),
        (STYLE_PAGE_NUMBER, fonts.page_number, PAGE_NUMBER_PT,
         {"exact_lines": False, "size_pt": PAGE_NUMBER_PT}),
    ]  # fmt: skip
    for name, font, size, options in layout:
        style = _paragraph_style(document, name)
        _run_fonts(style.element.get_or_add_rPr(), font, size, condense=size == BODY_PT)
        _paragraph_format(style.element.get_or_add_pPr(), **options)
    # Table text breathes a little; a picture stays on the page of its caption.
    spacing = document.styles[STYLE_TABLE].element.get_or_add_pPr().find(qn("w:spacing"))
    spacing.set(qn("w:before"), "60")
    spacing.set(qn("w:after"), "60")
    # A caption keeps a little room below it, so the text that follows does not touch it.
    document.styles[STYLE_CAPTION].element.get_or_add_pPr().find(qn("w:spacing")).set(qn("w:after"), "160")
    figure = document.styles[STYLE_FIGURE].element.get_or_add_pPr()
    figure.insert(0, OxmlElement("w:keepNext"))
    _sort(figure, _PPR_ORDER)
    # Word's built-in headings carry theme fonts and blue colours: make them follow the standard
    # too, for text a user types into the template with them.
    for builtin, name in (
        ("Title", STYLE_TITLE),
        ("Heading 1", STYLE_HEADING1),
        ("Heading 2", STYLE_HEADING2),
    ):
        try:
            style = document.styles[builtin]
        except KeyError:
            continue
        source = document.styles[name].element
        for tag in ("w:rPr", "w:pPr"):
            old = style.element.find(qn(tag))
            if old is not None:
                style.element.remove(old)
            style.element.append(copy.deepcopy(source.find(qn(tag))))


def _page_number_paragraph(paragraph: Paragraph, style: Any, *, odd: bool) -> None:
    """ "— N —" with a PAGE field, one character in from the outer edge."""
    paragraph.style = style
    ppr = paragraph._p.get_or_add_pPr()
    _replace(ppr, "w:jc", val="right" if odd else "left")
    ind = _replace(ppr, "w:ind")
    side = "right" if odd else "left"
    ind.set(qn(f"w:{side}"), str(_pt_twips(PAGE_NUMBER_PT)))
    ind.set(qn(f"w:{side}Chars"), "100")
    ind.set(qn("w:firstLine"), "0")
    ind.set(qn("w:firstLineChars"), "0")
    _sort(ppr, _PPR_ORDER)
    for child in list(paragraph._p):
        if child.tag != qn("w:pPr"):
            paragraph._p.remove(child)

    def run(text: str | None = None, field: str | None = None, instr: str | None = None) -> None:
        r = OxmlElement("w:r")
        if field:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), field)
            r.append(char)
        elif instr:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = instr
            r.append(code)
        else:
            t = OxmlElement("w:t")
            t.set(qn("xml:space"), "preserve")
            t.text = text
            r.append(t)
        paragraph._p.append(r)

    run("— ")
    run(field="begin")
    run(instr=" PAGE ")
    run(field="separate")
    run("1")
    run(field="end")
    run(" —")


def _page_setup(document: Document) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    for section in document.sections:
        section.page_width = Mm(PAGE_WIDTH_MM)
        section.page_height = Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(TOP_MM)
        section.bottom_margin = Mm(BOTTOM_MM)
        section.left_margin = Mm(LEFT_MM)
        section.right_margin = Mm(RIGHT_MM)
        section.gutter = Mm(0)
        section.header_distance = Mm(15)
        section.footer_distance = Mm(FOOTER_DISTANCE_MM)
        if section.start_type != WD_SECTION_START.NEW_PAGE:
            section.start_type = WD_SECTION_START.NEW_PAGE
        _replace(
            section._sectPr,
            "w:docGrid",
            type="lines",
            linePitch=str(LINE_PITCH_TWIPS),
        )
        grid = section._sectPr.find(qn("w:docGrid"))
        # docGrid must follow the other page settings (schema order): move it last.
        section._sectPr.remove(grid)
        section._sectPr.append(grid)
        for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
            footer.is_linked_to_previous = False
            paragraphs = footer.paragraphs
            _page_number_paragraph(paragraphs[0], document.styles[STYLE_PAGE_NUMBER], odd=odd)
            for extra in paragraphs[1:]:
                extra._p.getparent().remove(extra._p)


def apply_layout(document: Document, fonts: Fonts = DEFAULT_FONTS) -> Document:
    """Lay out `document` by GB/T 9704: page, grid, styles, fonts with fallbacks, page numbers."""
    _styles(document, fonts)
    _font_table(document, fonts)
    _page_setup(document)
    return document


def new_document(fonts: Fonts = DEFAULT_FONTS) -> Document:
    """An empty A4 document laid out as an official document."""
    document = _new_document()
    body = document.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return apply_layout(document, fonts)


# ---------------------------------------------------------------- writing the parts


def add_title(document: Document, text: str) -> Paragraph:
    paragraph = document.add_paragraph(text, style=STYLE_TITLE)
    document.add_paragraph("", style=STYLE_ADDRESSEE)  # one blank line under the title
    return paragraph


def add_addressee(document: Document, unit: str) -> Paragraph:
    """主送机关, flush left, ending with a full-width colon."""
    return document.add_paragraph(unit.rstrip("：:") + "：", style=STYLE_ADDRESSEE)


def add_heading1(document: Document, text: str) -> Paragraph:
    return document.add_paragraph(text, style=STYLE_HEADING1)


def add_heading2(document: Document, text: str) -> Paragraph:
    return document.add_paragraph(text, style=STYLE_HEADING2)


def add_body(document: Document, text: str) -> Paragraph:
    return document.add_paragraph(text, style="Normal")


def add_signature(document: Document, unit: str, day: dt.date) -> tuple[Paragraph, Paragraph]:
    """发文机关署名 centred over 成文日期, the date four characters from the right."""
    for _ in range(SIGNATURE_BLANK_LINES):
        document.add_paragraph("", style=STYLE_ADDRESSEE)
    name = document.add_paragraph(unit, style=STYLE_SIGNATURE)
    date = document.add_paragraph(date_cn(day), style=STYLE_DATE)
    centre_signature(document)
    return name, date


def centre_signature(document: Document) -> None:
    """Centre every 发文机关署名 over the 成文日期 that follows it (after a template is filled in)."""
    paragraphs = document.paragraphs
    for index, (name, date) in enumerate(itertools.pairwise(paragraphs)):
        if name.style is None or name.style.name != STYLE_SIGNATURE:
            continue
        if date.style is None or date.style.name != STYLE_DATE:
            continue
        # GB/T 9704: the signature and date never stand alone on a page — they go to the next
        # page with the blank lines above them and the last line of text (特此报告。).
        name.paragraph_format.keep_with_next = True
        before = index - 1
        while before >= 0 and not paragraphs[before].text.strip():
            paragraphs[before].paragraph_format.keep_with_next = True
            before -= 1
        if before >= 0:
            paragraphs[before].paragraph_format.keep_with_next = True
        centre_right = SIGNATURE_RIGHT_CHARS + text_width_chars(date.text.strip()) / 2
        right_chars = max(0.0, centre_right - text_width_chars(name.text.strip()) / 2)
        ppr = name._p.get_or_add_pPr()
        ind = _set(ppr, "w:ind")
        ind.set(qn("w:right"), str(_pt_twips(BODY_PT * right_chars)))
        ind.set(qn("w:rightChars"), str(round(right_chars * 100)))
        _sort(ppr, _PPR_ORDER)


def add_table(
    document: Document, header: list[str], rows: list[list[str]], first_column_share: float = 0.3
) -> Table:
    """A plain grid table across the type area, centred, text in 小4号 仿宋, the header row
    repeated on each page; the first column (the labels) gets `first_column_share` of the width."""
    table: Table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    first = TYPE_WIDTH_MM * first_column_share if len(header) > 1 else TYPE_WIDTH_MM
    widths = [first] + [(TYPE_WIDTH_MM - first) / (len(header) - 1)] * (len(header) - 1)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].style = document.styles[STYLE_TABLE]
        cell.paragraphs[0].add_run(text).bold = True
    _set(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader")
    for values in rows:
        cells = table.add_row().cells  # type: ignore[no-untyped-call]
        for cell, text in zip(cells, values, strict=True):
            cell.paragraphs[0].style = document.styles[STYLE_TABLE]
            cell.paragraphs[0].add_run(text)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)  # the grid, which LibreOffice reads
        for cell in column.cells:
            cell.width = Mm(width)  # each cell, which Word reads
    return table


def add_picture(
    document: Document, image: str | Path | Any, caption: str | None, width_mm: float = 110
) -> None:
    """A centred picture (not on the exact line grid, which would crop it) and its caption."""
    paragraph = document.add_paragraph(style=STYLE_FIGURE)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run().add_picture(image if not isinstance(image, Path) else str(image), width=Mm(width_mm))
    if caption:
        document.add_paragraph(caption, style=STYLE_CAPTION)


def styles_in_use() -> dict[str, Font]:
    """Which font each part uses (for the README and the report's self-check)."""
    f = DEFAULT_FONTS
    return {
        STYLE_TITLE: f.title,
        "正文": f.body,
        STYLE_HEADING1: f.heading1,
        STYLE_HEADING2: f.heading2,
        STYLE_PAGE_NUMBER: f.page_number,
    }


__all__ = [
    "BOTTOM_MM", "CHARS_PER_LINE", "DEFAULT_FONTS", "LEFT_MM", "LINES_PER_PAGE", "RIGHT_MM",
    "STYLE_ADDRESSEE", "STYLE_CAPTION", "STYLE_DATE", "STYLE_FIGURE", "STYLE_HEADING1",
    "STYLE_HEADING2", "STYLE_NOTE", "STYLE_SIGNATURE", "STYLE_TABLE", "STYLE_TITLE", "TOP_MM",
    "Font", "Fonts", "add_addressee", "add_body", "add_heading1", "add_heading2", "add_picture",
    "add_signature", "add_table", "add_title", "apply_layout", "centre_signature", "date_cn",
    "new_document",
    "text_width_chars",
]  # fmt: skip
