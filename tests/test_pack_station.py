"""On a door pack the station is the pack's own (issue 13): its results bundle carries that
station's rows, so another `--station` on the command line is told, never recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checkin import packseal
from checkin.demo import build_demo
from checkin.door import Door
from checkin.keys import issue_token
from checkin.pack import PackPath, station_pack
from checkin.rollcall import RollCall
from checkin.storage import open_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    db, _, _ = build_demo(path)
    db.execute("UPDATE event SET checks = 'none'")
    db.conn.close()
    return path


def invited_token(office: Path, n: int = 0) -> tuple[str, str]:
    with open_db(office) as db:
        number = db.execute(
            "SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos LIMIT 1 OFFSET ?", [n]
        ).fetchone()[0]
        return str(number), issue_token(db, number).token


def recorded_stations(path: Path) -> tuple[set[str], set[str]]:
    with open_db(path) as db:
        checkins = {r[0] for r in db.execute("SELECT station FROM checkins")}
        scans = {r[0] for r in db.execute("SELECT station FROM scans")}
    return checkins, scans


def test_the_door_records_under_the_packs_station_and_says_so(office: Path) -> None:
    _, token = invited_token(office)
    pack = station_pack(office, "东门", office.parent / "east.db")
    with open_db(pack) as db:
        door = Door(db, "西门", "小王")
        assert door.station == "东门"
        assert door.station_note is not None and "东门" in door.station_note and "西门" in door.station_note
        assert door.scan(token).admitted
        assert door.scan("not a code").verdict == "refused"
        assert Door(db, " 东门 ", "小王").station_note is None  # the pack's own name: nothing to say
    assert recorded_stations(pack) == ({"东门"}, {"东门"})


def test_in_the_office_file_the_station_given_is_the_station(office: Path) -> None:
    _, token = invited_token(office)
    with open_db(office) as db:
        door = Door(db, "西门", "小王")
        assert (door.station, door.station_note) == ("西门", None)
        assert door.scan(token).admitted
    assert recorded_stations(office) == ({"西门"}, {"西门"})


def test_the_roll_call_on_a_pack_is_the_packs_station_too(office: Path) -> None:
    pack = station_pack(office, "1号车", office.parent / "bus1.db")
    with open_db(pack) as db:
        roll = RollCall(db, "2号车", "小李")
        assert roll.station == "1号车"
        assert roll.station_note is not None and "2号车" in roll.station_note


def _cli(*args: str, passphrase: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, packseal.ENV: passphrase, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "screens.main", "--lang", "en", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def test_checkin_scan_with_another_station_says_whose_pack_it_is(office: Path) -> None:
    number, token = invited_token(office)
    pack = station_pack(office, "东门", office.parent / "east.db")
    run = _cli("scan", token, "--db", str(pack), "--station", "西门", "--json", passphrase=pack.passphrase)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["verdict"] == "admitted"  # the note goes to stderr: the JSON stays whole
    assert "东门" in run.stderr and "西门" in run.stderr and "recorded under" in run.stderr
    assert recorded_stations(pack) == ({"东门"}, {"东门"})
    same = _cli("scan", number, "--db", str(pack), "--station", "东门", passphrase=pack.passphrase)
    assert same.returncode == 1 and same.stderr == ""  # already inside; nothing to say about the station


def test_checkin_run_opens_the_screen_under_the_packs_station_and_tells_the_volunteer(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import screens.main as entry

    pack: PackPath = station_pack(office, "东门", office.parent / "east.db")
    started: dict[str, Any] = {}

    def run_app(db_path: str, **kwargs: Any) -> int:
        started.update(kwargs)
        if kwargs.get("door") is not None:
            kwargs["door"].db.close()
        return 0

    monkeypatch.setattr(entry, "_run_app", run_app)
    monkeypatch.setitem(packseal._state, "passphrase", None)  # what main sets is undone after the test
    monkeypatch.setitem(packseal._state, "prompt", None)
    argv = [
        "run",
        "--db",
        str(pack),
        "--station",
        "西门",
        "--operator",
        "小王",
        "--passphrase",
        pack.passphrase,
    ]
    assert entry.main(argv) == 0
    assert started["station"] == "东门"
    assert started["door"].station == "东门"
    assert "东门" in started["notice"] and "西门" in started["notice"]


async def test_the_screen_shows_the_notice_and_the_packs_station(office: Path) -> None:
    from screens.app import make_app

    pack = station_pack(office, "东门", office.parent / "east.db")
    door = Door(open_db(pack, shared=True), "西门", "小王")
    app = make_app(pack, station=door.station, operator="小王", door=door, notice=door.station_note)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.sub_title.startswith("东门")
        assert any("西门" in notice for notice in app.notices)
    app.release_door()
