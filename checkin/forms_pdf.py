"""Printing numbered survey forms (A4) with a Code128 barcode of the form number."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from barcode import Code128
from barcode.writer import ImageWriter
from fpdf import FPDF
from PIL import Image
from sqlite_utils import Database

from checkin.event import load_event
from checkin.fonts import FontChoice, find_cjk_font
from checkin.i18n import colon, tr
from checkin.survey import Template, allocate_forms, event_template, format_form

Progress = Callable[[int, int], None]


def barcode_image(text: str) -> Image.Image:
    """Code128 of the form number, without human-readable text (printed separately)."""
    buffer = io.BytesIO()
    Code128(text, writer=ImageWriter()).write(
        buffer,
        # 0.33 mm modules and a quiet zone of 20 modules scan reliably from a laser print
        options={
            "write_text": False,
            "module_width": 0.33,
            "module_height": 12.0,
            "quiet_zone": 6.6,
            "dpi": 300,
        },
    )
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def _boxes(pdf: FPDF, x: float, y: float, labels: list[str], width: float) -> None:
    """Tick boxes with their labels, spread over `width`."""
    step = width / len(labels)
    for i, label in enumerate(labels):
        bx = x + i * step
        pdf.rect(bx, y + 1.5, 4.5, 4.5)
        pdf.set_xy(bx + 6, y)
        pdf.cell(step - 7, 7.5, label)


def _page(
    pdf: FPDF, template: Template, event_title: str, event_date: str, number: int, code: Image.Image
) -> None:
    pdf.add_page()
    form = format_form(number)
    width = code.width / 300 * 25.4  # the image's natural size at 300 dpi, so no bar is resampled
    pdf.image(code, x=198 - width, y=10, w=width, h=code.height / 300 * 25.4)
    pdf.set_xy(198 - width, 24.5)
    pdf.set_font("cjk", size=11)
    pdf.cell(width, 6, form, align="C")
    pdf.set_xy(12, 32)
    pdf.set_font("cjk", size=20)
    pdf.cell(186, 12, template.title(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(186, 7, f"{event_title}　{event_date}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(186, 6, tr("forms.instructions"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    y = pdf.get_y()
    pdf.set_font("cjk", size=12)
    for index, item in enumerate(template.items, start=1):
        pdf.set_draw_color(200)
        pdf.line(12, y, 198, y)
        pdf.set_draw_color(0)
        pdf.set_xy(12, y + 1.5)
        pdf.cell(62, 7.5, f"{index}. {item.label()}")
        labels = [item.value_label(v) for v in item.values]
        _boxes(pdf, 76, y + 1.5, labels, 122)
        y += 11
    pdf.set_draw_color(200)
    pdf.line(12, y, 198, y)
    pdf.set_draw_color(0)
    pdf.set_xy(12, y + 5)
    pdf.set_font("cjk", size=12)
    pdf.cell(186, 7, f"{template.text_label()}{colon()}", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 1
    bottom = 270
    pdf.rect(12, top, 186, bottom - top)
    pdf.set_draw_color(210)
    line = top + 10
    while line < bottom - 2:
        pdf.line(15, line, 195, line)
        line += 10
    pdf.set_draw_color(0)
    pdf.set_xy(12, 276)
    pdf.set_font("cjk", size=9)
    pdf.cell(186, 5, tr("forms.footer", form=form), align="C")


def render_forms(
    db: Database,
    out: str | Path,
    count: int,
    *,
    font: str | Path | None = None,
    progress: Progress | None = None,
) -> tuple[Path, list[int]]:
    """Allocate `count` new form numbers and print them, one A4 page each."""
    choice: FontChoice = find_cjk_font(font)
    template = event_template(db)
    event = load_event(db)
    numbers = allocate_forms(db, count)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 10, 12)
    pdf.add_font("cjk", "", str(choice.path), collection_font_number=choice.index)
    pdf.set_title(template.title())
    for i, number in enumerate(numbers):
        _page(pdf, template, event.title, event.date.isoformat(), number, barcode_image(format_form(number)))
        if progress:
            progress(i + 1, len(numbers))
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    pdf.output(buffer)
    path.write_bytes(buffer.getvalue())
    return path, numbers
