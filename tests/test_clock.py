"""The door, the ledger and the merge take their time from the Clock they are given."""

from __future__ import annotations

from pathlib import Path

from checkin.clock import SYSTEM_CLOCK
from checkin.door import Door
from checkin.ledger import add_suggestion, set_status
from checkin.pack import station_pack
from checkin.storage import open_db
from checkin.sync import export_bundle, merge_bundles
from tests.helpers import event_day_clock


def test_the_system_clock_is_the_default(demo: Path) -> None:
    with open_db(demo) as db:
        assert Door(db, "东门", "小王").clock is SYSTEM_CLOCK


def test_the_door_records_the_clock_s_time(demo: Path) -> None:
    clock = event_day_clock(9, 15)
    with open_db(demo) as db:
        db.execute("UPDATE event SET checks = 'none'")
        number = db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 1").fetchone()[0]
        door = Door(db, "东门", "小王", clock=clock)
        assert door.judge(number).at == "2026-12-18T09:15:00.000"
        clock.advance(5)
        again = door.judge(number)
        assert again.at == "2026-12-18T09:15:05.000"
        assert again.first_seen is not None and again.first_seen.at == "2026-12-18T09:15:00.000"


def test_the_ledger_records_the_clock_s_time(demo: Path) -> None:
    clock = event_day_clock(16)
    with open_db(demo) as db:
        number = add_suggestion(db, "多设几块指引牌", clock=clock)
        clock.advance(60)
        set_status(db, number, "assigned", department="办公室", clock=clock)
        row = db.execute(
            "SELECT created_at, updated_at, handed_over_at FROM suggestions WHERE number = ?", [number]
        ).fetchone()
        assert row == ("2026-12-18T16:00:00", "2026-12-18T16:01:00", "2026-12-18")
        times = [r[0] for r in db.execute("SELECT at FROM suggestion_history ORDER BY id")]
        assert times[0] == "2026-12-18T16:00:00" and set(times[1:]) == {"2026-12-18T16:01:00"}


def test_the_merge_records_the_clock_s_time(demo: Path) -> None:
    pack = station_pack(demo, "东门", demo.parent / "east.db")
    bundle = export_bundle(pack, demo.parent / "east.sqlite")
    merge_bundles(demo, [bundle], clock=event_day_clock(18, 30))
    with open_db(demo) as db:
        assert db.execute("SELECT merged_at FROM merged_bundles").fetchone()[0] == "2026-12-18T18:30:00"
