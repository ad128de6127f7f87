"""After the event: working days, the suggestions ledger, exports, the report, purge."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.demo import build_demo, demo_rows
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.exports import export_attendance, export_ledger
from checkin.ledger import (
    add_suggestion,
    due_date,
    edit,
    history,
    import_from_surveys,
    list_suggestions,
    set_status,
)
from checkin.purge import purge
from checkin.report import write_report
from checkin.storage import open_db
from checkin.survey import add_entry, allocate_forms
from checkin.workdays import Calendar, load_holiday_file
from tests.helpers import FONT

D = dt.date


# ------------------------------------------------------------ working days


def test_national_day_2025_with_its_moved_working_days() -> None:
    """Event Fri 26 Sep 2025. Working: Sun 28 Sep (调休), 29, 30; 1–8 Oct off; 9, 10,
    Sat 11 Oct (调休), 13–17, 20–23 → the 15th working day is Thu 23 Oct."""
    calendar = Calendar()
    assert calendar.add_working_days(D(2025, 9, 26), 15) == D(2025, 10, 23)
    assert calendar.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)
    assert calendar.missing_years == set()


def test_spring_festival_2025_with_its_moved_working_days() -> None:
    """Event Fri 24 Jan 2025. Working: Sun 26 Jan (调休), 27; 28 Jan – 4 Feb off; 5, 6, 7,
    Sat 8 Feb (调休), 10–14, 17–20 → the 15th working day is Thu 20 Feb."""
    assert Calendar().add_working_days(D(2025, 1, 24), 15) == D(2025, 2, 20)


def test_plain_monday_to_friday_would_be_wrong() -> None:
    naive = D(2025, 9, 26)
    count = 0
    while count < 15:
        naive += dt.timedelta(days=1)
        count += naive.weekday() < 5
    assert naive != Calendar().add_working_days(D(2025, 9, 26), 15)


def test_missing_year_falls_back_to_weekdays_with_a_warning() -> None:
    calendar = Calendar()
    assert calendar.add_working_days(D(2040, 1, 5), 5) == D(2040, 1, 12)
    assert calendar.missing_years == {2040}


def test_holiday_file_fixes_a_missing_year(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "2040.toml"
    path.write_text(
        "year = 2040\nholidays = [2040-01-09, 2040-01-10]\nworkdays = [2040-01-14]\n", encoding="utf-8"
    )
    assert load_holiday_file(db, path) == 2040
    from checkin.workdays import event_calendar

    calendar = event_calendar(db)
    # Fri 6 Jan → 9 and 10 off, 11, 12, 13 (Fri), Sun 14 working, 16, 17
    assert calendar.add_working_days(D(2040, 1, 6), 5) == D(2040, 1, 16)
    assert calendar.missing_years == set()


def test_bad_holiday_files(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("year = 2040\nholidays = [2041-01-01]\n", encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        load_holiday_file(db, path)
    assert info.value.key == "workdays.file_invalid"
    with pytest.raises(CheckinError):
        load_holiday_file(db, tmp_path / "missing.toml")


def test_event_due_date_warns_for_2027(db: Database) -> None:
    """Fri 18 Dec 2026 + 15 working days; 2027 is not published, but 1 January is a statutory
    holiday all the same: Dec 21–25, 28–31, Jan 4–8, Jan 11 (not Fri 8 Jan)."""
    due, missing = due_date(db)
    assert due == D(2027, 1, 11) and missing == [2027]


# ------------------------------------------------------------ ledger


def test_every_status_transition_and_its_history(db: Database) -> None:
    number = add_suggestion(db, "增加停车位", operator="小王")
    with pytest.raises(CheckinError) as info:
        set_status(db, number, "resolved", outcome="adopted")
    assert info.value.key == "ledger.bad_transition"
    with pytest.raises(CheckinError) as info:
        set_status(db, number, "assigned")
    assert info.value.key == "ledger.department_needed"
    set_status(db, number, "assigned", department="办公室", operator="小王", on=D(2026, 12, 21))
    set_status(db, number, "transferred", department="交通科", operator="小王")
    set_status(db, number, "in_progress", operator="老李")
    with pytest.raises(CheckinError) as info:
        set_status(db, number, "resolved", outcome="not_adopted")
    assert info.value.key == "ledger.reason_needed"
    set_status(db, number, "resolved", outcome="not_adopted", reason="场地限制", operator="老李")
    with pytest.raises(CheckinError) as info:
        set_status(db, number, "replied")
    assert info.value.key == "ledger.reply_needed"
    set_status(db, number, "replied", reply="已答复并说明理由", on=D(2027, 1, 5))
    with pytest.raises(CheckinError):
        set_status(db, number, "assigned", department="x")
    fields = [(h["field"], h["new"]) for h in history(db, number)]
    assert fields == [
        ("created", "增加停车位"),
        ("status", "assigned"),
        ("department", "办公室"),
        ("handed_over_at", "2026-12-21"),
        ("status", "transferred"),
        ("department", "交通科"),
        ("handed_over_at", dt.date.today().isoformat()),
        ("status", "in_progress"),
        ("status", "resolved"),
        ("outcome", "not_adopted"),
        ("reason", "场地限制"),
        ("status", "replied"),
        ("reply", "已答复并说明理由"),
        ("replied_at", "2027-01-05"),
    ]
    assert {h["operator"] for h in history(db, number)} >= {"小王", "老李"}


def test_edit_keeps_history(db: Database) -> None:
    number = add_suggestion(db, "原文")
    edit(db, number, "小张", text="改后的文字", category="交通")
    assert [(h["field"], h["old"], h["new"]) for h in history(db, number)][1:] == [
        ("text", "原文", "改后的文字"),
        ("category", None, "交通"),
    ]
    with pytest.raises(CheckinError):
        edit(db, number, "x", status="replied")


def test_overdue_and_due_soon(db: Database) -> None:
    add_suggestion(db, "一")
    number = add_suggestion(db, "二")
    # due 2027-01-11; 2027-01-06 is 3 working days before (7, 8, 11) → due soon
    assert {s.urgency for s in list_suggestions(db, today=D(2026, 12, 20))} == {"ok"}
    assert {s.urgency for s in list_suggestions(db, today=D(2027, 1, 5))} == {"ok"}
    assert {s.urgency for s in list_suggestions(db, today=D(2027, 1, 6))} == {"due_soon"}
    assert {s.urgency for s in list_suggestions(db, today=D(2027, 1, 12))} == {"overdue"}
    set_status(db, number, "assigned", department="办公室")
    assert [s.number for s in list_suggestions(db, status="assigned")] == [number]
    assert [s.number for s in list_suggestions(db, department="办公室")] == [number]


def test_suggestions_come_from_survey_texts_once(db: Database) -> None:
    allocate_forms(db, 3)
    add_entry(db, 1, [1, 1, 1, 1, 1], "希望多开放几次")
    add_entry(db, 2, [1, 1, 1, 1, 1], "")
    assert len(import_from_surveys(db)) == 1
    assert import_from_surveys(db) == []
    (only,) = list_suggestions(db)
    assert (only.source, only.form, only.text) == ("survey", 1, "希望多开放几次")


# ------------------------------------------------------------ exports and report


@pytest.fixture
def finished(tmp_path: Path) -> Path:
    """The demo event after the day: three guests in, one survey form, one suggestion."""
    path = tmp_path / "demo.db"
    db, _, _ = build_demo(path)
    door = Door(db, "东门", "小王")
    numbers = [
        r[0]
        for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos LIMIT 3")
    ]
    for number in numbers:
        door.judge(number, {"id_card": "seen"})
    allocate_forms(db, 2)
    add_entry(db, 1, [1, 2, 1, 1, 1], "希望增加停车位")
    import_from_surveys(db)
    db.conn.close()
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_attendance_export(finished: Path, tmp_path: Path, suffix: str) -> None:
    from checkin.i18n import set_language

    set_language("zh")
    db = open_db(finished)
    path, count = export_attendance(db, tmp_path / f"att{suffix}")
    if suffix == ".csv":
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    else:
        sheet = load_workbook(path).active
        assert sheet is not None
        rows = [[str(c) if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["编号", "姓名", "类别"] and "签到时间" in header
    assert count == len(body) == 40
    statuses = [r[header.index("状态")] for r in body]
    assert statuses.count("已签到") == 3 and statuses.count("未到") == 29 and statuses.count("候补") == 8
    arrived = next(r for r in body if r[header.index("状态")] == "已签到")
    assert arrived[header.index("签到点")] == "东门"
    assert arrived[header.index("查验结果")] == "本人身份证：已核验"  # words, not id_card=seen
    for row in body:
        assert "****" in row[header.index("联系电话")]
        assert row[header.index("身份证号")].startswith("*" * 14)


def test_no_shows_only(finished: Path, tmp_path: Path) -> None:
    db = open_db(finished)
    _, count = export_attendance(db, tmp_path / "ns.csv", only_no_shows=True)
    assert count == 29


def test_ledger_export(finished: Path, tmp_path: Path) -> None:
    db = open_db(finished)
    path, count = export_ledger(db, tmp_path / "ledger.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert count == 1 and rows[1][1] == "希望增加停车位"


def test_report_html_is_self_contained(finished: Path, tmp_path: Path) -> None:
    db = open_db(finished)
    path = write_report(db, tmp_path / "report.html", font=FONT)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in page
    assert "data:image/png;base64," in page
    assert "希望增加停车位" in page


def test_report_refuses_other_formats(finished: Path, tmp_path: Path) -> None:
    with pytest.raises(CheckinError) as info:
        write_report(open_db(finished), tmp_path / "report.pdf", font=FONT)
    assert info.value.key == "report.bad_suffix"


# ------------------------------------------------------------ purge


def test_purge_refuses_before_the_event(finished: Path) -> None:
    with pytest.raises(CheckinError) as info:
        purge(finished, today=D(2026, 12, 1))
    assert info.value.key == "purge.too_early"


def test_purge_leaves_no_name_phone_or_id(finished: Path) -> None:
    rows = demo_rows()[1:]
    before = b"".join(p.read_bytes() for p in finished.parent.glob("demo.db*"))
    assert rows[0][0].encode() in before  # the names were there
    count = purge(finished, today=D(2026, 12, 19))
    assert count == 40
    data = b"".join(p.read_bytes() for p in finished.parent.glob("demo.db*"))
    for name, _, id_number, phone, *_ in rows:
        assert name.encode() not in data, name
        assert phone.encode() not in data
        assert id_number.encode() not in data
        assert ("*" * 14 + id_number[-4:]).encode() not in data
    db = open_db(finished)
    # the counts, the anonymous answers and the suggestions stay
    assert db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM people WHERE category = 'citizen'").fetchone()[0] > 0
    assert json.loads(db.execute("SELECT answers FROM survey_entries").fetchone()[0]) == [1, 2, 1, 1, 1]
    assert db.execute("SELECT text FROM suggestions").fetchone()[0] == "希望增加停车位"


def test_purge_cli_asks_for_yes(finished: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["purge", "--db", str(finished)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert cli_main(["purge", "--db", str(finished), "--yes", "--force"]) == 0


def test_loading_a_years_holidays_moves_open_due_dates(demo: Path, tmp_path: Path) -> None:
    """Due 2027-01-11 while 2027 is unpublished; a file making Mon 11 Jan a day off moves the
    open suggestions to Tue 12 Jan (in their history), not the answered one."""
    from checkin.i18n import set_language

    set_language("zh")
    db = open_db(demo)
    first = add_suggestion(db, "一")
    second = add_suggestion(db, "二")
    for status, extra in (("assigned", {"department": "办公室"}), ("in_progress", {}),
                          ("resolved", {"outcome": "adopted"}), ("replied", {"reply": "已采纳"})):  # fmt: skip
        set_status(db, second, status, **extra)  # type: ignore[arg-type]
    db.conn.close()
    holidays = tmp_path / "2027.toml"
    holidays.write_text("year = 2027\nholidays = [2027-01-01, 2027-01-11]\nworkdays = []\n", encoding="utf-8")
    assert cli_main(["--lang", "zh", "holidays", "load", str(holidays), "--db", str(demo)]) == 0
    db = open_db(demo)
    due = dict(db.execute("SELECT number, due_date FROM suggestions").fetchall())
    assert due == {first: "2027-01-12", second: "2027-01-11"}
    assert history(db, first)[-1]["field"] == "due_date"
