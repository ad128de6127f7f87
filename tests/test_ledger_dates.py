"""A suggestion's step dated by hand (`suggestions status --on`): never before the event, where
the suggestion was made, and a transfer or an answer never before the handover — refused in
the user's words, nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checkin.errors import CheckinError
from checkin.ledger import add_suggestion, history, set_status
from checkin.storage import open_db
from tests.helpers import EVENT_DATE, run_cli


def _suggestion(path: Path) -> str:
    with open_db(path) as db:
        return add_suggestion(db, "建议增加停车位", source="forum")


def _state(path: Path, number: str) -> tuple[str, str | None, int]:
    with open_db(path) as db:
        row = db.execute(
            "SELECT status, handed_over_at FROM suggestions WHERE number = ?", [number]
        ).fetchone()
        return row[0], row[1], len(history(db, number))


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", f"日期 2000-01-03 早于活动日期 {EVENT_DATE.isoformat()}"),
        ("en", f"The date 2000-01-03 is before the event ({EVENT_DATE.isoformat()})"),
    ],
    ids=["zh", "en"],
)
def test_a_step_dated_before_the_event_is_refused_in_words(file_db: Path, lang: str, words: str) -> None:
    number = _suggestion(file_db)
    before = _state(file_db, number)
    code, said = run_cli(
        "--lang", lang, "suggestions", "status", number, "--db", str(file_db),
        "--to", "assigned", "--department", "办公室", "--on", "2000-01-03",
    )  # fmt: skip
    assert code == 2 and words in said, said
    assert _state(file_db, number) == before  # nothing changed, no history


def test_the_event_day_itself_is_taken(file_db: Path) -> None:
    number = _suggestion(file_db)
    code, said = run_cli(
        "suggestions", "status", number, "--db", str(file_db),
        "--to", "assigned", "--department", "办公室", "--on", EVENT_DATE.isoformat(),
    )  # fmt: skip
    assert code == 0, said
    assert _state(file_db, number)[:2] == ("assigned", EVENT_DATE.isoformat())


def test_an_answer_before_the_handover_is_refused(file_db: Path) -> None:
    number = _suggestion(file_db)
    later = EVENT_DATE + dt.timedelta(days=5)
    with open_db(file_db) as db:
        set_status(db, number, "assigned", department="办公室", on=later)
        set_status(db, number, "in_progress")
        set_status(db, number, "resolved", outcome="adopted")
        with pytest.raises(CheckinError) as refused:
            set_status(db, number, "replied", reply="已增设车位", on=later - dt.timedelta(days=1))
        assert refused.value.key == "ledger_tidy.reply_before_handover"
        set_status(db, number, "replied", reply="已增设车位", on=later)
    assert _state(file_db, number)[0] == "replied"
