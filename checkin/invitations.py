"""Printable invitations (邀请函): QR PNGs, an A4 PDF (1 or 4 per page) and tokens.csv."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from sqlite_utils import Database

from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.fonts import FontChoice, find_cjk_font
from checkin.i18n import colon, tr
from checkin.keys import Issued, issue_token, require_office
from checkin.phone import mask_phone
from checkin.storage import write_transaction
from checkin.textcheck import private_file, safe_cell
from checkin.tokens import short_code

Progress = Callable[[int, int], None]


@dataclass
class Invitee:
    number: str
    name: str
    category: str
    phone: str | None
    token: str


@dataclass
class InvitationRun:
    count: int
    pdf: Path
    tokens_csv: Path
    qr_dir: Path
    font: Path
    font_face: str = ""  # the face used inside a collection, e.g. Noto Sans CJK SC


QR_BOX = 6  # pixels per module in the PNGs


def qr_matrix_image(token: str) -> Image.Image:
    """The bare QR code (error correction M, alphanumeric mode), black on white.

    Built from the module matrix with one resize instead of drawing every module.
    """
    return next(qr_images([token]))


def _qr_modules(token: str) -> tuple[int, bytes]:
    """The module matrix as (size, one byte per module): cheap to send between processes."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(token, optimize=0)
    code.make(fit=True)
    matrix = code.get_matrix()
    return len(matrix), bytes(0 if dark else 255 for row in matrix for dark in row)


PARALLEL_FROM = 64  # below this many codes a process pool costs more than it saves


def qr_images(tokens: Sequence[str]) -> Iterator[Image.Image]:
    """QR images in order; large batches are drawn on every core (the mask search is pure Python)."""

    def image(size: int, pixels: bytes) -> Image.Image:
        return Image.frombytes("L", (size, size), pixels).resize(
            (size * QR_BOX, size * QR_BOX), Image.Resampling.NEAREST
        )

    workers = os.cpu_count() or 1
    if len(tokens) >= PARALLEL_FROM and workers > 1:
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for size, pixels in pool.map(_qr_modules, tokens, chunksize=16):
                    yield image(size, pixels)
            return
        except (OSError, BrokenProcessPool):
            pass  # no processes here (sandbox, frozen app): draw them one by one below
    for token in tokens:
        yield image(*_qr_modules(token))


def qr_with_name(qr: Image.Image, caption: str, font: FontChoice) -> Image.Image:
    """The QR code with the person's name and number printed under it."""
    size = max(22, qr.width // 12)
    face = ImageFont.truetype(str(font.path), size, index=font.index)
    strip = size * 2
    canvas = Image.new("L", (qr.width, qr.height + strip), 255)
    canvas.paste(qr, (0, 0))
    draw = ImageDraw.Draw(canvas)
    box = draw.textbbox((0, 0), caption, font=face)
    x = max(0, (qr.width - (box[2] - box[0])) // 2)
    draw.text((x, qr.height + (strip - size) // 2 - box[1] // 2), caption, font=face, fill=0)
    return canvas


def invited_people(db: Database, only: Sequence[str] | None = None) -> list[dict[str, Any]]:
    rows = list(
        db.query(
            "SELECT number, name, category, phone FROM people WHERE status = 'invited' "
            "ORDER BY queue_pos, seq"
        )
    )
    if only:
        wanted = [n.strip().upper() for n in only]
        known = {r["number"]: r for r in rows}
        missing = [n for n in wanted if n not in known]
        if missing:
            raise CheckinError("invites.not_invited", number=", ".join(missing))
        rows = [known[n] for n in wanted]
    return rows


class InvitationPdf(FPDF):
    def __init__(self, font: FontChoice) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.add_font("cjk", "", str(font.path), collection_font_number=font.index)
        self.set_font("cjk", size=12)
        self.set_title(tr("invites.pdf_title"))
        self.set_creator("checkin")


def _when(event: Event) -> str:
    time = f" {event.starts}–{event.ends}" if event.starts and event.ends else ""
    return f"{event.date:%Y-%m-%d}{time}"


def _card(
    pdf: InvitationPdf,
    event: Event,
    person: Invitee,
    x: float,
    y: float,
    w: float,
    h: float,
    qr: Image.Image,
) -> None:
    """One invitation in the box (x, y, w, h); sizes scale with the box."""
    scale = w / 210
    pad = 12 * scale
    inner = w - 2 * pad
    # margins of this card, so that line breaks return to the card's left edge
    pdf.set_left_margin(x + pad)
    pdf.set_right_margin(210 - (x + w) + pad)
    pdf.set_xy(x + pad, y + pad)
    if event.organizer:
        pdf.set_font("cjk", size=10 * max(scale, 0.8))
        pdf.cell(inner, 6 * scale + 1, event.organizer, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=22 * scale + 2)
    pdf.multi_cell(inner, 11 * scale + 1, event.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if event.theme:
        pdf.set_font("cjk", size=12 * scale + 1)
        pdf.multi_cell(inner, 7 * scale + 1, event.theme, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3 * scale)
    pdf.set_font("cjk", size=16 * scale + 2)
    pdf.cell(inner, 10 * scale + 1, tr("invites.heading"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=13 * scale + 2)
    greeting = tr("invites.dear", name=person.name, category=category_label(person.category))
    pdf.multi_cell(inner, 8 * scale + 1, greeting, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11 * scale + 2)
    lines = [
        (tr("event.f.date"), _when(event)),
        (tr("event.f.meeting_point"), event.meeting_point or event.location or ""),
        (tr("event.f.arrive_by"), event.arrive_by or event.starts or ""),
        (tr("event.f.location"), event.location or ""),
        (tr("invites.bring"), tr("invites.bring_id")),
    ]
    for label, value in lines:
        if value:
            pdf.multi_cell(inner, 7 * scale + 1, f"{label}{colon()}{value}", new_x="LMARGIN", new_y="NEXT")
    side = min(75 * scale, h - (pdf.get_y() - y) - 28 * scale)
    side = max(side, 30 * scale)
    qr_y = pdf.get_y() + 3 * scale
    pdf.image(qr, x=x + (w - side) / 2, y=qr_y, w=side, h=side)
    pdf.set_xy(x + pad, qr_y + side + 1)
    pdf.set_font("cjk", size=14 * scale + 2)
    pdf.cell(
        inner,
        8 * scale + 1,
        f"{person.number} · {short_code(person.token)}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("cjk", size=9 * scale + 1.5)
    pdf.multi_cell(inner, 5 * scale + 1, tr("invites.footer"), align="C")


def render_invitations(
    db: Database,
    out_dir: str | Path,
    *,
    only: Sequence[str] | None = None,
    per_page: int = 1,
    font: str | Path | None = None,
    progress: Progress | None = None,
) -> InvitationRun:
    """Issue (or re-use) each invitee's token and write PNGs, the PDF and tokens.csv."""
    if per_page not in (1, 4):
        raise CheckinError("invites.bad_per_page", value=per_page)
    require_office(db)
    choice = find_cjk_font(font)
    event = load_event(db)
    rows = invited_people(db, only)
    if not rows:
        raise CheckinError("invites.nobody")
    out = Path(out_dir)
    people: list[Invitee] = []
    with write_transaction(db):
        for row in rows:
            issued: Issued = issue_token(db, row["number"])
            people.append(Invitee(row["number"], row["name"], row["category"], row["phone"], issued.token))
    qr_dir = out / "qr"
    qr_dir.mkdir(parents=True, exist_ok=True)

    pdf = InvitationPdf(choice)
    total = len(people)
    for i, (person, qr) in enumerate(zip(people, qr_images([p.token for p in people]), strict=True)):
        png = qr_dir / f"{person.number}.png"
        private_file(png)  # a name and a working admission code: owner-only, as every export
        qr_with_name(qr, f"{person.name}  {person.number}", choice).save(png)
        if per_page == 1:
            pdf.add_page()
            _card(pdf, event, person, 0, 0, 210, 297, qr)
        else:
            slot = i % 4
            if slot == 0:
                pdf.add_page()
                pdf.set_draw_color(180)
                pdf.set_dash_pattern(dash=2, gap=2)
                pdf.line(105, 0, 105, 297)  # cutting lines between the four cards
                pdf.line(0, 148.5, 210, 148.5)
                pdf.set_dash_pattern()
            _card(pdf, event, person, 105 * (slot % 2), 148.5 * (slot // 2), 105, 148.5, qr)
        if progress:
            progress(i + 1, total)
    pdf_path = out / "invitations.pdf"
    buffer = io.BytesIO()
    pdf.output(buffer)
    private_file(pdf_path)
    pdf_path.write_bytes(buffer.getvalue())
    csv_path = out / "tokens.csv"
    private_file(csv_path)
    with csv_path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        # headers in the user's language (编号,姓名,手机号（已遮盖）,二维码内容): the office's own
        # mail merge reads them; nothing in the program does (its columns stay in this order)
        writer.writerow([tr(f"tokens_csv.{column}") for column in ("number", "name", "phone", "token")])
        for person in people:
            writer.writerow(
                [
                    safe_cell(v)
                    for v in (person.number, person.name, mask_phone(person.phone or ""), person.token)
                ]
            )
    return InvitationRun(total, pdf_path, csv_path, qr_dir, choice.path, choice.family)


def invitation_attachments(db: Database, event: Event, number: str, font: FontChoice) -> tuple[bytes, bytes]:
    """One invitee's invitation as a one-page PDF, and their QR code as a PNG (for a notice)."""
    require_office(db)
    row = invited_people(db, [number])[0]
    issued = issue_token(db, row["number"])
    person = Invitee(row["number"], row["name"], row["category"], row["phone"], issued.token)
    qr = qr_matrix_image(issued.token)
    pdf = InvitationPdf(font)
    pdf.add_page()
    _card(pdf, event, person, 0, 0, 210, 297, qr)
    document = io.BytesIO()
    pdf.output(document)
    image = io.BytesIO()
    qr_with_name(qr, f"{person.name}  {person.number}", font).save(image, format="PNG")
    return document.getvalue(), image.getvalue()
