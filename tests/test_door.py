"""The door core: verdicts, entry checks, the keyed form, look-up, walk-ins, roles."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.demo import build_demo
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.keys import reissue
from checkin.profiles import CheckForm, load_profile
from checkin.search import ensure_index, look_up
from checkin.selection import confirm
from checkin.storage import open_db
from tests.conftest import raw_bytes, valid_id
from tests.helpers import invited, set_checks
from tests.helpers import token as token_of


@pytest.fixture
def db(demo: Path) -> Iterator[Database]:
    with open_db(demo) as database:
        yield database


def test_id_only_needs_one_check_then_admits(db: Database) -> None:
    number = invited(db)
    token = token_of(db, number)
    door = Door(db, "东门", "小王")
    first = door.scan(token)
    assert first.verdict == "needs_checks" and first.checks_due == ["id_card"]
    assert first.invitee is not None and first.invitee.number == number
    second = door.scan(token, {"id_card": "seen"})
    assert second.verdict == "admitted"
    # committed before the verdict came back: a fresh connection sees it
    other = Door(open_db(db_path(db)), "西门", "小李")
    again = other.scan(token, {"id_card": "seen"})
    assert again.verdict == "already"
    assert again.first_seen is not None and again.first_seen.station == "东门"


def db_path(db: Database) -> str:
    return str(db.execute("PRAGMA database_list").fetchone()[2])


def test_none_profile_admits_on_scan(db: Database) -> None:
    set_checks(db, "none")
    number = invited(db)
    assert Door(db, "A", "op").scan(token_of(db, number)).verdict == "admitted"


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ("garbage", "not_token"),
        ("forged", "forged"),
        ("revoked", "revoked"),
        ("declined", "revoked"),
        ("waiting", "not_invited"),
    ],
)
def test_refusals_name_their_reason(db: Database, tmp_path: Path, setup: str, reason: str) -> None:
    number = invited(db)
    token = token_of(db, number)
    if setup == "garbage":
        token = "HELLO WORLD"
    elif setup == "forged":
        token = token[:-10] + ("A" if token[-10] != "A" else "B") + token[-9:]
    elif setup == "revoked":
        reissue(db, number)
    elif setup == "declined":
        confirm(db, number, "declined")
    elif setup == "waiting":
        waiting = db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
        db.execute("UPDATE people SET status = 'invited' WHERE number = ?", [waiting])
        token = token_of(db, waiting)
        db.execute("UPDATE people SET status = 'waiting' WHERE number = ?", [waiting])
    verdict = Door(db, "A", "op").scan(token, {"id_card": "seen"})
    assert (verdict.verdict, verdict.reason) == ("refused", reason)
    assert verdict.reason_text()


def test_other_events_invitation_refused(db: Database, tmp_path: Path) -> None:
    other, _, _ = build_demo(tmp_path / "other.db")
    verdict = Door(db, "A", "op").scan(token_of(other, invited(other)))
    assert verdict.reason == "other_event"


def test_typed_id_number_must_match(db: Database, tmp_path: Path) -> None:
    from checkin.demo import demo_rows

    number = invited(db)
    name = db.execute("SELECT name FROM people WHERE number = ?", [number]).fetchone()[0]
    real_id = next(r[2] for r in demo_rows()[1:] if r[0] == name)
    token = token_of(db, number)
    door = Door(db, "A", "op")
    wrong = door.scan(token, {"id_card": valid_id(5)})
    assert (wrong.verdict, wrong.reason) == ("refused", "id_mismatch")
    assert door.scan(token, {"id_card": real_id.lower()}).verdict == "admitted"
    stored = db.execute("SELECT value FROM check_results WHERE name = 'id_card' ORDER BY id").fetchall()
    assert [r[0] for r in stored] == ["mismatch", "matched"]
    raw = raw_bytes(Path(db_path(db)), Path(db_path(db) + "-wal"))
    assert real_id.encode() not in raw and valid_id(5).encode() not in raw


def test_every_scan_is_recorded_with_station_and_operator(db: Database) -> None:
    door = Door(db, "东门", "小王")
    token = token_of(db, invited(db))
    door.scan("nonsense")
    door.scan(token)
    door.scan(token, {"id_card": "seen"})
    door.scan(token, {"id_card": "seen"})
    rows = db.execute("SELECT verdict, reason, station, operator FROM scans ORDER BY id").fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("refused", "not_token"),
        ("needs_checks", None),
        ("admitted", None),
        ("already", "already"),
    ]
    assert {(r[2], r[3]) for r in rows} == {("东门", "小王")}


EPIDEMIC_OK = {
    "id_card": "seen",
    "health_code": "green",
    "itinerary": "plain",
    "temperature": "36.5",
    "mask": "yes",
}


@pytest.mark.parametrize(
    ("changes", "verdict", "failed"),
    [
        ({}, "admitted", []),
        ({"health_code": "yellow"}, "refused", ["health_code"]),
        ({"health_code": "3"}, "refused", ["health_code"]),
        ({"temperature": "37.3"}, "refused", ["temperature"]),
        ({"temperature": "37.5,36.9"}, "admitted", []),
        ({"temperature": "37.5,37.4"}, "refused", ["temperature"]),
        ({"itinerary": "asterisk"}, "needs_checks", []),
        ({"itinerary": "asterisk", "nucleic_test": "negative_48h"}, "admitted", []),
        ({"itinerary": "asterisk", "nucleic_test": "none"}, "refused", ["nucleic_test"]),
        ({"mask": "no"}, "refused", ["mask"]),
    ],
)
def test_epidemic_2022_rules(db: Database, changes: dict[str, str], verdict: str, failed: list[str]) -> None:
    set_checks(db, "epidemic-2022")
    result = Door(db, "A", "op").scan(token_of(db, invited(db)), {**EPIDEMIC_OK, **changes})
    assert result.verdict == verdict
    assert [r.name for r in result.failed] == failed
    if verdict == "needs_checks":
        assert result.checks_due == ["nucleic_test"]


def test_check_results_are_kept_per_checkin(db: Database) -> None:
    set_checks(db, "epidemic-2022")
    Door(db, "A", "op").scan(token_of(db, invited(db)), {**EPIDEMIC_OK, "temperature": "37.6,36.8"})
    rows = dict(
        db.execute(
            "SELECT r.name, r.value FROM check_results r JOIN checkins c ON c.uid = r.checkin_uid"
        ).fetchall()
    )
    assert rows == {
        "id_card": "seen",
        "health_code": "green",
        "itinerary": "plain",
        "temperature": "37.6,36.8",
        "mask": "yes",
    }


# ------------------------------------------------------------ the keyed form


def press_all(form: CheckForm, keys: list[str]) -> list[bool]:
    return [form.press(k).accepted for k in keys]


@pytest.mark.parametrize(
    ("profile", "keys"),
    [("none", []), ("id-only", ["enter"]), ("epidemic-2022", ["enter", "1", "1", "6", "5", "1"])],
)
def test_keystroke_budget_for_a_healthy_guest(profile: str, keys: list[str]) -> None:
    form = CheckForm(load_profile(profile))
    assert all(press_all(form, keys))
    assert form.complete
    assert len(keys) <= {"none": 0, "id-only": 1, "epidemic-2022": 6}[profile]
    if profile == "epidemic-2022":
        assert form.answers == {
            "id_card": "seen",
            "health_code": "green",
            "itinerary": "plain",
            "temperature": "36.5",
            "mask": "yes",
        }


def test_form_refuses_illegal_keys_and_stays() -> None:
    form = CheckForm(load_profile("epidemic-2022"))
    form.press("enter")
    assert form.current is not None and form.current.name == "health_code"
    assert not form.press("7").accepted
    assert not form.press("a").accepted
    assert form.current.name == "health_code"


def test_form_backspace_goes_back_and_asterisk_adds_nucleic_step() -> None:
    form = CheckForm(load_profile("epidemic-2022"))
    press_all(form, ["enter", "1", "2"])
    assert form.current is not None and form.current.name == "nucleic_test"
    form.press("backspace")
    assert form.current is not None and form.current.name == "itinerary"
    form.press("1")
    assert form.current is not None and form.current.name == "temperature"


def test_form_high_temperature_asks_for_second_reading() -> None:
    form = CheckForm(load_profile("epidemic-2022"))
    press_all(form, ["enter", "1", "1", "3", "7", "5"])
    assert form.current is not None and form.current.name == "temperature"
    assert form.readings == [37.5]
    press_all(form, ["6", "8"])
    assert form.answers["temperature"] == "37.5,36.8"


def test_form_typed_id_number() -> None:
    form = CheckForm(load_profile("id-only"))
    for ch in "11010519491231002x":
        assert form.press(ch).accepted
    assert form.press("enter").complete
    assert form.answers["id_card"] == "11010519491231002X"


# ------------------------------------------------------------ look-up


def test_look_up_by_name_pinyin_initials_phone_and_id(db: Database) -> None:
    ensure_index(db)
    person = db.execute("SELECT number, name, phone, id_masked FROM people WHERE name = '单玉艳'").fetchone()
    assert person is not None
    number = person[0]
    for query in (
        "单玉艳",
        "单",
        "shanyuyan",
        "danyuyan",
        "syy",
        "dyy",
        person[2][-4:],
        person[3][-4:].lower(),
        "SHAN",
    ):
        assert number in look_up(db, query), query
    assert look_up(db, "") == []
    assert look_up(db, number.lower())[0] == number


def test_look_up_then_check_in_with_the_same_checks(db: Database) -> None:
    number = invited(db)
    door = Door(db, "A", "op")
    assert door.judge(number).verdict == "needs_checks"
    assert door.judge(number, {"id_card": "seen"}).verdict == "admitted"
    assert db.execute("SELECT method FROM checkins").fetchone()[0] == "lookup"


# ------------------------------------------------------------ roles


def test_annul_needs_pin_and_reason_and_is_recorded(db: Database) -> None:
    number = invited(db)
    door = Door(db, "A", "小王")
    door.judge(number, {"id_card": "seen"})
    with pytest.raises(CheckinError) as info:
        door.annul(number, "scanned by mistake", "0000")
    assert info.value.key == "door.wrong_pin"
    with pytest.raises(CheckinError):
        door.annul(number, "", "246813")
    door.annul(number, "scanned by mistake", "246813")
    row = db.execute("SELECT annulled_by, annul_reason FROM checkins").fetchone()
    assert row == ("小王", "scanned by mistake")
    assert door.judge(number, {"id_card": "seen"}).verdict == "admitted"
    actions = [
        r[0] for r in db.execute("SELECT action FROM activity WHERE action IN ('annul', 'pin_refused')")
    ]
    assert actions == ["pin_refused", "annul"]


def test_override_admits_a_refused_guest_with_pin(db: Database) -> None:
    waiting = db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
    door = Door(db, "A", "op")
    assert door.judge(waiting, {"id_card": "seen"}).reason == "not_invited"
    with pytest.raises(CheckinError):
        door.override(waiting, "place freed", None)
    assert door.override(waiting, "place freed", "246813").verdict == "admitted"
    assert (
        db.execute("SELECT override_reason FROM checkins WHERE number = ?", [waiting]).fetchone()[0]
        == "place freed"
    )


def test_walk_in_registration_rules(db: Database) -> None:
    door = Door(db, "A", "op")
    with pytest.raises(CheckinError) as info:
        door.register_walk_in("路人甲", valid_id(901), "13900000000", "群众代表", "9999")
    assert info.value.key == "door.wrong_pin"
    number = door.register_walk_in("路人甲", valid_id(901), "13900000000", "群众代表", "246813")
    assert number.startswith("W")
    assert door.judge(number, {"id_card": "seen"}).verdict == "admitted"
    assert number in look_up(db, "lurenjia")
    with pytest.raises(CheckinError) as info:
        door.register_walk_in("路人甲", valid_id(901), "13900000000", "群众代表", "246813")
    assert info.value.key == "door.walk_in_known"


def test_walk_in_refused_when_full(db: Database) -> None:
    db.execute("UPDATE event SET capacity = 1")
    door = Door(db, "A", "op")
    door.judge(invited(db), {"id_card": "seen"})
    with pytest.raises(CheckinError) as info:
        door.register_walk_in("路人乙", valid_id(902), "13900000001", "群众代表", "246813")
    assert info.value.key == "door.walk_in_full"


def test_walk_in_refused_when_share_would_break(db: Database) -> None:
    door = Door(db, "A", "op")
    door.judge(invited(db, category="enterprise"), {"id_card": "seen"})
    with pytest.raises(CheckinError) as info:
        door.register_walk_in("路人丙", valid_id(903), "13900000002", "企业代表", "246813")
    assert info.value.key == "door.walk_in_share"


# ------------------------------------------------------------ two instances


def test_two_instances_never_admit_twice(demo: Path) -> None:
    setup = open_db(demo)
    setup.execute("UPDATE event SET checks = 'none'")
    tokens = [
        token_of(setup, r[0]) for r in setup.execute("SELECT number FROM people WHERE status = 'invited'")
    ]
    setup.conn.close()
    admitted: list[str] = []
    lock = threading.Lock()

    def door_worker(name: str) -> None:
        door = Door(open_db(demo), name, "op")
        for token in tokens:
            verdict = door.scan(token)
            if verdict.admitted:
                with lock:
                    admitted.append(verdict.invitee.number)  # type: ignore[union-attr]

    threads = [threading.Thread(target=door_worker, args=(n,)) for n in ("东门", "西门")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(admitted) == sorted(set(admitted))
    assert len(admitted) == len(tokens)


def test_two_desks_cannot_both_take_the_last_place_with_a_walk_in(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Desk A has checked that there is room for its walk-in; desk B registers another one at
    that very moment. Capacity is checked and the walk-in admitted under one write lock, so B
    waits for A and is then told it is full — never both inside (found by two desks on a pack)."""
    import checkin.door as door_module

    with open_db(demo) as db:
        door = Door(db, "东门", "a")
        for number in [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited'")]:
            door.judge(number, {"id_card": "seen"})
        inside = int(db.execute("SELECT COUNT(*) FROM live_checkins").fetchone()[0])
        counted = door.present_counts()[0]  # within capacity (the press is not)
        db.execute("UPDATE event SET capacity = ?", [counted + 1])  # one place left
    real_check = door_module.check_walk_in
    outcome: dict[str, object] = {}

    def other_desk() -> None:
        with open_db(demo) as other:
            try:
                outcome["b"] = Door(other, "西门", "b").admit_walk_in(
                    "路人乙", valid_id(902), "13900000001", "群众代表", "246813"
                )
            except CheckinError as exc:
                outcome["b"] = exc.key

    def check_then_let_the_other_desk_try(db: Database, category: str) -> None:
        real_check(db, category)
        monkeypatch.setattr(door_module, "check_walk_in", real_check)
        desk_b = threading.Thread(target=other_desk)
        desk_b.start()
        desk_b.join(timeout=1.0)  # with the fix B waits for A's write lock; without it, B is in
        outcome["thread"] = desk_b

    monkeypatch.setattr(door_module, "check_walk_in", check_then_let_the_other_desk_try)
    with open_db(demo) as db:
        a = Door(db, "东门", "a").admit_walk_in("路人甲", valid_id(901), "13900000000", "群众代表", "246813")
    thread = outcome["thread"]
    assert isinstance(thread, threading.Thread)
    thread.join()
    assert a.admitted
    assert outcome["b"] == "door.walk_in_full"
    with open_db(demo) as db:
        assert db.execute("SELECT COUNT(*) FROM live_checkins").fetchone()[0] == inside + 1


# ------------------------------------------------------------ CLI


def test_scan_cli_json_and_exit_codes(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_db(demo)
    number = invited(db)
    token = token_of(db, number)
    assert cli_main(["scan", token, "--db", str(demo), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "needs_checks" and out["invitee"]["number"] == number
    assert set(out) >= {"verdict", "reason", "invitee", "first_seen"}
    assert (
        cli_main(["scan", token, "--db", str(demo), "--check", "id_card=seen", "--station", "东门", "--json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["verdict"] == "admitted"
    assert cli_main(["scan", token, "--db", str(demo), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "already" and out["first_seen"]["station"] == "东门"
    assert cli_main(["scan", token, "--db", str(demo)]) == 1
    said = capsys.readouterr().out
    assert "东门" in said and "T" not in said.split("东门")[0]  # a time as people write it, no ISO "T"
    assert cli_main(["scan", token, "--db", str(demo), "--check", "nope=1"]) == 2
    assert cli_main(["scan", token, "--db", str(demo), "--check", "novalue"]) == 2
    assert cli_main(["scan", "x", "--db", str(demo), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out == {
        "verdict": "refused",
        "reason": "Not an invitation code",
        "reason_code": "not_token",
        "invitee": None,
        "first_seen": None,
        "checks_due": [],
    }


def test_custom_profile_travels_inside_the_event_file(tmp_path: Path) -> None:
    from checkin.event import Event, create_event
    from tests.conftest import EVENT_DATE

    profile = tmp_path / "mask-only.toml"
    profile.write_text(
        '[profile]\nname = "mask-only"\nlabel_zh = "口罩"\nlabel_en = "Mask"\n\n'
        '[[checks]]\nname = "mask"\nkind = "yesno"\nlabel_zh = "佩戴口罩"\nlabel_en = "Mask"\n',
        encoding="utf-8",
    )
    path = tmp_path / "e.db"
    db = open_db(path, create=True)
    create_event(db, Event(title="t", date=EVENT_DATE, checks=str(profile)))
    profile.unlink()  # the door laptop does not have the file
    door = Door(db, "A", "op")
    assert [c.name for c in door.profile.checks] == ["mask"]
    broken = tmp_path / "broken.toml"
    broken.write_text("[[checks]]\nname = 1\n", encoding="utf-8")
    with pytest.raises(CheckinError):
        create_event(
            open_db(tmp_path / "f.db", create=True), Event(title="t", date=EVENT_DATE, checks=str(broken))
        )


def test_typed_travel_permit_matches_whatever_the_issue_count(db: Database) -> None:
    """A guest who signed up with a 港澳居民来往内地通行证 types its number at the door: the card
    was reissued since (another two-digit issue count), and it still matches; another number not."""
    from checkin.event import id_secret
    from checkin.idcard import id_hash, parse_document

    number = invited(db)
    document = parse_document("H1234567801", "hk_macao_permit")
    db.execute(
        "UPDATE people SET id_type = 'hk_macao_permit', id_hash = ? WHERE number = ?",
        [id_hash(id_secret(db), document.number), number],
    )
    token = token_of(db, number)
    door = Door(db, "A", "op")
    assert door.scan(token, {"id_card": "H12345679"}).reason == "id_mismatch"
    assert door.scan(token, {"id_card": "h 12345678 03"}).verdict == "admitted"
