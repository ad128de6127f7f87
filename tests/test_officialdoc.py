"""The GB/T 9704-2012 layout, read back from the saved .docx with python-docx."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from checkin import officialdoc as od


def east_asia_font(style: object) -> str | None:
    rfonts = style.element.rPr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def sample(tmp_path: Path) -> Path:
    document = od.new_document()
    od.add_title(document, "示范县税务局“政府开放日”活动开展情况")
    od.add_addressee(document, "县政务公开办公室")
    od.add_heading1(document, "一、活动基本情况")
    od.add_heading2(document, "（一）参加人员")
    od.add_body(document, "正文。")
    od.add_table(document, ["类别", "到场"], [["群众代表", "9"]])
    od.add_signature(document, "示范县税务局", dt.date(2026, 11, 27))
    path = tmp_path / "公文.docx"
    document.save(str(path))
    return path


def test_page_is_a4_with_the_standard_margins_and_type_area(tmp_path: Path) -> None:
    section = Document(str(sample(tmp_path))).sections[0]

    def mm(length: int) -> float:
        return round(Mm(1).mm * length / Mm(1), 1)

    assert (mm(section.page_width), mm(section.page_height)) == (210.0, 297.0)  # A4, not Letter
    assert mm(section.top_margin) == 37.0
    assert mm(section.left_margin) == 28.0
    assert mm(section.page_width - section.left_margin - section.right_margin) == 156.0
    assert mm(section.page_height - section.top_margin - section.bottom_margin) == 225.0
    grid = section._sectPr.find(qn("w:docGrid"))
    # 22 lines of 28.95 pt fill the 225 mm type area.
    assert (
        int(grid.get(qn("w:linePitch"))) * 22 / 20
        <= Mm(225).pt
        < (int(grid.get(qn("w:linePitch"))) + 1) * 22 / 20
    )


def test_fonts_are_east_asian_with_fallbacks_and_the_standard_sizes(tmp_path: Path) -> None:
    document = Document(str(sample(tmp_path)))
    styles = document.styles
    normal = styles["Normal"]
    assert east_asia_font(normal) == "仿宋_GB2312"
    assert normal.font.size == Pt(16)
    assert normal.paragraph_format.first_line_indent == Pt(32)  # two characters
    assert normal.element.pPr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    # 28 characters of 16 pt, each drawn closer by the character spacing, fit the 156 mm line.
    spacing = int(normal.element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + spacing) <= Mm(156).pt < 29 * (16 + spacing)
    assert east_asia_font(styles[od.STYLE_TITLE]) == "方正小标宋简体"
    assert styles[od.STYLE_TITLE].font.size == Pt(22)
    assert east_asia_font(styles[od.STYLE_HEADING1]) == "黑体"
    assert east_asia_font(styles[od.STYLE_HEADING2]) == "楷体_GB2312"
    assert not styles[od.STYLE_HEADING1].font.bold
    # Word's own heading styles follow suit: no blue theme fonts left behind.
    assert east_asia_font(styles["Heading 1"]) == "黑体"
    assert styles["Heading 1"].element.rPr.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None
    # The paragraphs use those styles.
    names = [p.style.name for p in document.paragraphs if p.text]
    assert names[:4] == [od.STYLE_TITLE, od.STYLE_ADDRESSEE, od.STYLE_HEADING1, od.STYLE_HEADING2]
    # Each Chinese font names a fallback that Windows ships.
    font_table = next(
        rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/fontTable")
    )
    xml = font_table.blob.decode("utf-8")
    for name, fallback in (("仿宋_GB2312", "仿宋"), ("方正小标宋简体", "宋体"), ("楷体_GB2312", "楷体")):
        assert f'w:name="{name}"><w:altName w:val="{fallback}"/>' in xml


def test_page_numbers_are_a_page_field_between_dashes_at_the_outer_edge(tmp_path: Path) -> None:
    document = Document(str(sample(tmp_path)))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph, side in ((odd, "right"), (even, "left")):
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert f'w:jc w:val="{side}"' in xml
        assert paragraph.style.font.size == Pt(14)
        assert east_asia_font(paragraph.style) == "宋体"


def test_signature_block_centres_the_unit_over_the_date_four_characters_in(tmp_path: Path) -> None:
    document = Document(str(sample(tmp_path)))
    unit, date = document.paragraphs[-2], document.paragraphs[-1]
    assert date.text == "2026年11月27日"
    assert date.style.paragraph_format.right_indent == Pt(64)  # four characters of 16 pt
    assert unit.text == "示范县税务局"
    # The date is 7 characters wide (8 half-width digits), the unit 6: centres line up.
    assert unit.paragraph_format.right_indent == Pt(16 * 4.5)
    assert [p.text for p in document.paragraphs[-5:-2]] == ["", "", ""]  # room for the seal


def test_date_and_width_helpers() -> None:
    assert od.date_cn(dt.date(2027, 1, 4)) == "2027年1月4日"
    assert od.text_width_chars("2026年11月27日") == 7
