"""Signing keys can be revoked and retired keys destroyed; the supervisor PIN resists guessing."""

from __future__ import annotations

from pathlib import Path

import pytest

from checkin.cli import main as cli_main
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.event import hash_pin
from checkin.keys import create_signing_key, issue_token, revoke_key
from checkin.storage import open_db
from tests.helpers import ManualClock, event_day_clock

PIN = "246813"


@pytest.fixture
def clock() -> ManualClock:
    return event_day_clock(9)


def test_a_pin_needs_six_digits() -> None:
    for short in ("1234", "12345", "12ab56"):
        with pytest.raises(CheckinError) as info:
            hash_pin(short)
        assert info.value.key == "event.bad_pin"
    assert hash_pin("123456").startswith("scrypt$")


def test_wrong_pins_lock_the_station_longer_each_time(demo: Path, clock: ManualClock) -> None:
    with open_db(demo) as db:
        db.execute("UPDATE event SET checks = 'none'")
        door = Door(db, "东门", "小王", clock=clock)
        numbers = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 3")]
        for _ in range(5):
            with pytest.raises(CheckinError) as info:
                door.override(numbers[0], "试", "000000")
            assert info.value.key == "door.wrong_pin"
        with pytest.raises(CheckinError) as info:
            door.override(numbers[0], "试", PIN)  # even the right PIN waits now
        assert info.value.key == "door14.pin_locked" and info.value.params["seconds"] == 30
        actions = [r[0] for r in db.execute("SELECT action FROM activity WHERE action LIKE 'pin%'")]
        assert actions.count("pin_refused") == 5 and actions.count("pin_lockout") == 1
        clock.advance(31)
        with pytest.raises(CheckinError):
            door.override(numbers[0], "试", "000000")  # a sixth wrong one: 60 s now
        clock.advance(31)
        with pytest.raises(CheckinError) as info:
            door.override(numbers[0], "试", PIN)
        assert info.value.key == "door14.pin_locked"
        clock.advance(30)
        assert door.override(numbers[0], "主管放行", PIN).admitted
        # the right PIN resets the count: one wrong PIN is just a wrong PIN again
        with pytest.raises(CheckinError) as info:
            door.override(numbers[1], "试", "000000")
        assert info.value.key == "door.wrong_pin"
        assert door.override(numbers[1], "主管放行", PIN).admitted


def test_another_station_is_not_locked_by_this_one(demo: Path, clock: ManualClock) -> None:
    with open_db(demo) as db:
        number = db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
        east = Door(db, "东门", "a", clock=clock)
        for _ in range(5):
            with pytest.raises(CheckinError):
                east.override(number, "试", "000000")
        assert Door(db, "西门", "b", clock=clock).override(number, "主管放行", PIN).admitted


def test_a_revoked_key_refuses_its_tokens_and_reissue_is_printing_again(
    demo: Path, clock: ManualClock
) -> None:
    with open_db(demo) as db:
        db.execute("UPDATE event SET checks = 'none'")
        number = db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 1").fetchone()[0]
        old = issue_token(db, number)
        key_id = db.execute("SELECT key_id FROM signing_keys WHERE retired_at IS NULL").fetchone()[0]
        new_key = revoke_key(db, f"{key_id:04x}")
        assert new_key is not None and new_key != key_id
        assert (
            db.execute("SELECT private_key FROM signing_keys WHERE key_id = ?", [key_id]).fetchone()[0]
            is None
        )
        door = Door(db, "东门", "a", clock=clock)
        verdict = door.scan(old.token)
        assert verdict.verdict == "refused" and verdict.reason == "revoked"
        fresh = issue_token(db, number)
        assert fresh.token != old.token and door.scan(fresh.token).admitted
        with pytest.raises(CheckinError):
            revoke_key(db, f"{key_id:04x}")  # already revoked


def test_retired_private_keys_are_destroyed(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_db(demo) as db:
        create_signing_key(db)
        create_signing_key(db)
        rows = db.execute("SELECT private_key IS NOT NULL, retired_at IS NULL FROM signing_keys").fetchall()
    assert sorted(rows) == [(0, 0), (0, 0), (1, 1)]
    assert cli_main(["keys", "revoke", "ZZZZ", "--db", str(demo)]) == 2
    assert "ZZZZ" in capsys.readouterr().err
