"""The Simplified Chinese face of a font collection, for the PDFs and the report's chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.ttCollection import TTCollection
from pypdf import PdfReader

from checkin import fonts
from checkin.forms_pdf import render_forms
from checkin.storage import open_db

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _face(family: str, zh_cn: bool = False) -> TTFont:
    """A tiny TrueType face: one square glyph for ASCII, CJK punctuation and ideographs."""
    builder = FontBuilder(1000, isTTF=True)
    codepoints = [
        *range(0x20, 0x7F),
        0xB7,
        *range(0x2010, 0x2030),
        *range(0x3000, 0x3040),
        *range(0x4E00, 0x9FA6),
        *range(0xFF00, 0xFF5F),
    ]
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap(dict.fromkeys(codepoints, "box"))
    pen = TTGlyphPen(None)
    pen.moveTo((100, -100))
    pen.lineTo((100, 800))
    pen.lineTo((900, 800))
    pen.lineTo((900, -100))
    pen.closePath()
    box = pen.glyph()
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": box})
    builder.setupHorizontalMetrics({".notdef": (1000, 0), "box": (1000, 100)})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    names: dict[str, object] = {"familyName": family, "styleName": "Regular",
                                "psName": family.replace(" ", "") + "-Regular"}  # fmt: skip
    builder.setupNameTable(names)
    if zh_cn:
        builder.font["name"].setName("测试黑体", 1, 3, 1, 0x0804)
    builder.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    return builder.font


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection whose first face is Japanese and the Simplified Chinese one comes third."""
    path = tmp_path_factory.mktemp("fonts") / "TestCJK-Regular.ttc"
    ttc = TTCollection()
    ttc.fonts = [_face("Test Sans CJK JP"), _face("Test Sans CJK KR"), _face("Test Sans CJK SC", zh_cn=True)]
    ttc.save(str(path))
    return path


def test_the_sc_face_of_a_collection_is_chosen_not_face_0(collection: Path) -> None:
    choice = fonts.find_cjk_font(collection)
    assert (choice.index, choice.family) == (2, "Test Sans CJK SC")


def test_a_single_face_font_is_taken_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "one.ttf"
    _face("Test Song").save(str(path))
    assert fonts.find_cjk_font(path) == fonts.FontChoice(path, 0, "Test Song")


def test_a_collection_without_sc_still_prints_with_a_chinese_face(tmp_path: Path) -> None:
    path = tmp_path / "jp.ttc"
    ttc = TTCollection()
    ttc.fonts = [_face("Test Sans CJK JP"), _face("Test Sans CJK TC")]
    ttc.save(str(path))
    assert fonts.find_cjk_font(path).index in (0, 1)


def embedded_font_names(pdf: Path) -> set[str]:
    names = set()
    for page in PdfReader(str(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_the_forms_pdf_embeds_the_sc_face(demo: Path, collection: Path, tmp_path: Path) -> None:
    path, _ = render_forms(open_db(demo), tmp_path / "forms.pdf", 1, font=collection)
    names = embedded_font_names(path)
    assert names and all(n.split("+")[-1] == "TestSansCJKSC" for n in names), names


@pytest.mark.skipif(not NOTO.is_file(), reason="Noto Sans CJK collection not installed (fonts-noto-cjk)")
def test_noto_sans_cjk_collection_gives_its_sc_face(demo: Path, tmp_path: Path) -> None:
    choice = fonts.find_cjk_font(NOTO)
    assert choice.family == "Noto Sans CJK SC"
    path, _ = render_forms(open_db(demo), tmp_path / "forms.pdf", 1, font=NOTO)
    assert all("CJKsc" in n or "SC" in n for n in embedded_font_names(path)), embedded_font_names(path)


def test_the_invitations_pdf_embeds_the_sc_face(demo: Path, collection: Path, tmp_path: Path) -> None:
    from checkin.invitations import render_invitations

    db = open_db(demo)
    run = render_invitations(db, tmp_path / "invites", only=["A001"], font=collection)
    db.conn.close()
    assert run.font_face == "Test Sans CJK SC"
    names = embedded_font_names(tmp_path / "invites" / "invitations.pdf")
    assert names and all(n.split("+")[-1] == "TestSansCJKSC" for n in names), names


def test_the_reports_chart_is_drawn_with_the_sc_face(
    demo: Path, collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkin import report
    from checkin.survey import add_entry, allocate_forms

    db = open_db(demo)
    allocate_forms(db, 1)
    add_entry(db, 1, [1, 1, 1, 1, 1])
    faces: list[fonts.FontChoice] = []
    drawn = report.satisfaction_chart

    def spy(summary: object, font: fonts.FontChoice) -> bytes:
        faces.append(font)
        return drawn(summary, font)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "satisfaction_chart", spy)
    report.write_report(db, tmp_path / "r.docx", font=collection)
    db.conn.close()
    assert [(f.index, f.family) for f in faces] == [(2, "Test Sans CJK SC")]


def test_a_chosen_font_without_a_simplified_face_is_told(
    demo: Path, collection: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from checkin.cli import main as cli_main

    traditional = tmp_path / "tc.ttc"
    ttc = TTCollection()
    ttc.fonts = [_face("Test Sans CJK JP"), _face("Test Sans CJK TC")]
    ttc.save(str(traditional))
    args = ["--lang", "zh", "forms", "--db", str(demo), "--count", "1"]
    assert cli_main([*args, "--out", str(tmp_path / "a.pdf"), "--font", str(traditional)]) == 0
    assert "不是简体中文字形" in capsys.readouterr().err
    assert cli_main([*args, "--out", str(tmp_path / "b.pdf"), "--font", str(collection)]) == 0
    assert "不是简体中文字形" not in capsys.readouterr().err
