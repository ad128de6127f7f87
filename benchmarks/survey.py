"""Survey forms: keystrokes per form for the default template and seconds to print 200 forms."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from benchmarks.common import emit, timed
from benchmarks.invitations import font_path
from checkin.event import Event, create_event
from checkin.forms_pdf import barcode_image, render_forms
from checkin.storage import open_db
from checkin.survey import SurveyKeyer, format_form, load_template


def main() -> None:
    template = load_template("satisfaction")
    keyer = SurveyKeyer(template)
    keys = ["1", "1", "2", "1", "0"]
    assert all(keyer.press(k) for k in keys) and keyer.items_done
    emit("survey: keystrokes per form (no text)", len(keys) + 1, "keys", "items + 1", len(template.items),
         "baseline: number of items")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "e.db", create=True)
        create_event(db, Event(title="基准测试开放日", date=dt.date(2026, 12, 18)))
        barcodes, _ = timed(lambda: [barcode_image(format_form(n)) for n in range(1, 201)])
        seconds, _ = timed(lambda: render_forms(db, Path(tmp) / "forms.pdf", 200, font=font_path()))
        emit(
            "survey: print 200 forms (PDF)",
            seconds,
            "s",
            "fast",
            barcodes,
            "baseline: the 200 barcodes alone",
        )


if __name__ == "__main__":
    main()
