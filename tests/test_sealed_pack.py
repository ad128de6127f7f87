"""Sealed door packs: the raw bytes give nothing away; without the passphrase nothing opens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checkin import packseal
from checkin.demo import build_demo
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.keys import issue_token
from checkin.pack import station_pack
from checkin.purge import purge
from checkin.storage import open_db
from tests.conftest import valid_id
from tests.helpers import event_day_clock

CLOCK = event_day_clock(9, 30)  # door records travel in bundles only when made on the event's day


@pytest.fixture
def office(tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    db, _, _ = build_demo(path)
    db.execute("UPDATE event SET checks = 'none'")
    db.conn.close()
    return path


def personal_values(office: Path, statuses: tuple[str, ...] = ("invited",)) -> list[bytes]:
    """Every name, phone, ID hash and masked ID of the people a pack carries, as bytes."""
    marks = ", ".join("?" for _ in statuses)
    with open_db(office) as db:
        rows = db.execute(
            f"SELECT name, phone, id_hash, id_masked FROM people WHERE status IN ({marks})", statuses
        ).fetchall()
        secret = [bytes(r[0]) for r in db.execute("SELECT value FROM secret")]
    values = [str(v).encode() for row in rows for v in row if v]
    return values + secret


def raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


def test_raw_bytes_of_a_pack_hold_no_name_phone_id_hash_or_masked_id(office: Path) -> None:
    pack = station_pack(office, "东门", office.parent / "east.db")
    data = raw(pack)
    values = personal_values(office)
    assert len(values) > 100
    found = [v.decode(errors="replace") for v in values if v in data]
    assert found == []
    # with the passphrase the door sees everyone it needs
    with open_db(pack) as db:
        names = {r[0] for r in db.execute("SELECT name FROM people")}
    assert "" not in names and len(names) == 32


def test_a_pack_carries_only_the_invited_unless_asked(office: Path) -> None:
    pack = station_pack(office, "东门", office.parent / "east.db")
    with open_db(pack) as db:
        statuses = {r[0] for r in db.execute("SELECT DISTINCT status FROM people")}
    assert statuses == {"invited"}
    wide = station_pack(office, "西门", office.parent / "west.db", with_waiting=True)
    with open_db(wide) as db:
        statuses = {r[0] for r in db.execute("SELECT DISTINCT status FROM people")}
    assert "waiting" in statuses
    assert not [v for v in personal_values(office, ("invited", "waiting")) if v in raw(wide)]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != packseal.ENV}
    return subprocess.run(
        [sys.executable, "-m", "screens.main", *args],
        capture_output=True, text=True, encoding="utf-8", env={**clean, **(env or {})},
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def test_every_command_refuses_clearly_without_the_passphrase(office: Path) -> None:
    made = _cli("station", "pack", "--db", str(office), "--station", "东门", "--out",
                str(office.parent / "east.db"), "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    passphrase = json.loads(made.stdout)["passphrase"]
    assert len(passphrase.replace("-", "")) == 16 and packseal.passphrase_bits() >= 60
    pack = str(office.parent / "east.db")
    for command in (["people", "--db", pack], ["event", "show", "--db", pack], ["scan", "X", "--db", pack]):
        run = _cli(*command)
        assert run.returncode == 2, (command, run.stdout)
        assert "passphrase" in run.stderr and "Traceback" not in run.stderr
        wrong = _cli(*command, "--passphrase", "AAAA-AAAA-AAAA-AAAA")
        assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    ok = _cli("people", "--db", pack, "--passphrase", passphrase.lower())
    assert ok.returncode == 0 and "\t" in ok.stdout
    by_env = _cli("people", "--db", pack, env={packseal.ENV: passphrase})
    assert by_env.returncode == 0 and by_env.stdout == ok.stdout


def test_the_door_works_on_a_sealed_pack_and_a_walk_in_stays_sealed(office: Path) -> None:
    with open_db(office) as db:
        number = db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 1").fetchone()[0]
        token = issue_token(db, number).token
    pack = station_pack(office, "东门", office.parent / "east.db")
    with open_db(pack) as db:
        door = Door(db, "东门", "a", clock=CLOCK)
        assert door.scan(token).admitted
        walk_in = door.register_walk_in("路人乙", valid_id(902), "13900000002", "群众代表", "246813")
        assert door.judge(walk_in).admitted
    with open_db(pack) as db:
        assert db.execute("SELECT name FROM people WHERE number = ?", [walk_in]).fetchone()[0] == "路人乙"
        assert Door(db, "东门", "a", clock=CLOCK).judge(number).verdict == "already"
    data = raw(pack)
    assert "路人乙".encode() not in data and b"13900000002" not in data


def test_a_wrong_passphrase_is_refused(office: Path) -> None:
    pack = station_pack(office, "东门", office.parent / "east.db")
    copy = office.parent / "copy.db"
    copy.write_bytes(pack.read_bytes())  # another path: not remembered by this process
    packseal.set_passphrase("AAAA-BBBB-CCCC-DDDD")
    try:
        with pytest.raises(CheckinError) as info:
            open_db(copy)
        assert info.value.key == "packseal.wrong_passphrase"
    finally:
        packseal.set_passphrase(None)
    with pytest.raises(CheckinError) as info:
        open_db(copy)
    assert info.value.key == "packseal.passphrase_required"


def test_purge_on_a_pack_works_without_the_passphrase(office: Path) -> None:
    pack = station_pack(office, "东门", office.parent / "east.db")
    copy = office.parent / "copy.db"
    copy.write_bytes(pack.read_bytes())
    assert purge(copy, force=True) > 0
    with open_db(copy) as db:  # no longer sealed: opens without a passphrase, nothing personal
        assert db.execute("SELECT COUNT(*) FROM people WHERE name <> ''").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM secret").fetchone()[0] == 0


def test_purge_names_the_packs_left_and_deletes_the_bundles_given(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from checkin.cli import main as cli_main
    from checkin.sync import export_bundle, merge_bundles

    pack = station_pack(office, "东门", office.parent / "east.db")
    bundle = export_bundle(pack, office.parent / "results-东门.sqlite")
    merge_bundles(office, [bundle])
    not_a_bundle = office.parent / "other.db"
    not_a_bundle.write_bytes(pack.read_bytes())
    assert cli_main(["purge", "--db", str(office), "--yes", "--force", "--bundle", str(not_a_bundle)]) == 2
    assert not_a_bundle.exists()
    capsys.readouterr()
    assert cli_main(["purge", "--db", str(office), "--yes", "--force", "--bundle", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert not bundle.exists()
    assert str(pack.resolve()) in out and "东门" in out
    assert str(bundle) in out  # deleted, and said so
    pack.unlink()
    assert cli_main(["purge", "--db", str(office), "--yes", "--force"]) == 0
    assert "No pack or bundle" in capsys.readouterr().out


def test_a_pack_carries_no_email_residence_evidence_group_contacts_or_notices(office: Path) -> None:
    with open_db(office) as db:
        number = db.execute("SELECT number FROM people WHERE status = 'invited' LIMIT 1").fetchone()[0]
        db.execute(
            "UPDATE people SET email = 'zhang.private@example.com', residence_evidence = '幸福路99号租房合同', "
            "review_reason = '户籍存疑备注', group_number = 'G001' WHERE number = ?",
            [number],
        )
        db.execute(
            "INSERT INTO groups (number, organization, contact_name, contact_phone, contact_email, "
            "created_at, updated_at) VALUES ('G001', '某单位', '联系人李四', '13912345678', "
            "'lisi.group@example.com', '2026-01-01', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO notices (number, kind, detail, eml, written_at) VALUES (?, 'invited', "
            "'寄给 zhang.private@example.com', 'To: zhang.private@example.com 邀请函正文', '2026-01-01')",
            [number],
        )
        db.conn.commit()
    pack = station_pack(office, "东门", office.parent / "east.db")
    data = raw(pack)
    leaks = ["zhang.private@example.com", "幸福路99号租房合同", "户籍存疑备注", "联系人李四", "13912345678",
             "lisi.group@example.com", "邀请函正文"]  # fmt: skip
    assert [s for s in leaks if s.encode() in data] == []


def test_opened_people_are_kept_in_memory_never_in_a_temporary_file(office: Path) -> None:
    pack = station_pack(office, "东门", office.parent / "east.db")
    with open_db(pack) as db:
        # 2 = MEMORY; the default (0 with TEMP_STORE=1 compiled in) spills TEMP tables to disk
        assert db.execute("PRAGMA temp_store").fetchone()[0] == 2
        assert db.execute("SELECT count(*) FROM temp.people WHERE name <> ''").fetchone()[0] == 32


def test_a_walk_in_admitted_on_a_pack_survives_the_desk_being_killed(office: Path) -> None:
    pack = station_pack(office, "东门", office.parent / "east.db")
    script = (
        "import os, sys\n"
        "import datetime as dt\n"
        "from checkin.door import Door\n"
        "from checkin.storage import open_db\n"
        "db = open_db(sys.argv[1]).__enter__()\n"
        "class OnTheDay:\n"
        "    def now(self): return dt.datetime(2026, 12, 18, 9, 30)\n"
        "door = Door(db, '东门', 'a', clock=OnTheDay())\n"
        "n = door.register_walk_in('路人丙', sys.argv[2], '13900000003', '群众代表', '246813')\n"
        "assert door.judge(n).admitted\n"
        "print(n, flush=True)\n"
        "os._exit(0)  # no close, no checkpoint: as if the laptop's power went\n"
    )
    env = {**os.environ, packseal.ENV: pack.passphrase, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(pack), valid_id(903)],
        capture_output=True, text=True, encoding="utf-8", env=env, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    number = done.stdout.strip()
    with open_db(pack) as db:
        assert db.execute("SELECT name FROM people WHERE number = ?", [number]).fetchone()[0] == "路人丙"
        assert (
            db.execute(
                "SELECT count(*) FROM checkins WHERE number = ? AND annulled_at IS NULL", [number]
            ).fetchone()[0]
            == 1
        )


def test_purge_leaves_no_email_residence_evidence_group_contact_or_notice_address(office: Path) -> None:
    with open_db(office) as db:
        number = db.execute("SELECT number FROM people LIMIT 1").fetchone()[0]
        db.execute(
            "UPDATE people SET email = 'zhang.private@example.com', residence_evidence = '幸福路99号租房合同', "
            "review_reason = '户籍存疑备注' WHERE number = ?",
            [number],
        )
        db.execute(
            "INSERT INTO groups (number, organization, contact_name, contact_phone, contact_email, note, "
            "created_at, updated_at) VALUES ('G001', '某单位', '联系人李四', '13912345678', "
            "'lisi.group@example.com', '李四私人备注', '2026-01-01', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO notices (number, kind, detail, eml, written_at) VALUES (?, 'invited', "
            "'zhang.private@example.com', '张三-邀请函.eml', '2026-01-01')",
            [number],
        )
        db.conn.commit()
    purge(office, force=True)
    data = raw(office)
    leaks = ["zhang.private@example.com", "幸福路99号租房合同", "户籍存疑备注", "联系人李四", "13912345678",
             "lisi.group@example.com", "李四私人备注", "张三-邀请函.eml"]  # fmt: skip
    assert [s for s in leaks if s.encode() in data] == []


def test_two_desks_on_one_pack_see_each_others_walk_ins(office: Path) -> None:
    """Each connection opens the pack's people into its own TEMP tables: a second desk (or
    screen) on the same file used to refuse the first desk's walk-in as an unknown person and
    could register no walk-in of its own (the same row id handed out twice)."""
    pack = station_pack(office, "东门", office.parent / "east.db")
    with open_db(pack) as first, open_db(pack) as second:
        one, two = Door(first, "东门", "a", clock=CLOCK), Door(second, "东门", "b", clock=CLOCK)
        walk_in = one.register_walk_in("路人丁", valid_id(905), "13900000005", "群众代表", "246813")
        assert one.judge(walk_in).admitted
        assert two.judge(walk_in).verdict == "already"
        other = two.register_walk_in("路人戊", valid_id(906), "13900000006", "群众代表", "246813")
        assert two.judge(other).admitted
        assert one.judge(other).verdict == "already"
    with open_db(pack) as db:
        names = {r[0] for r in db.execute("SELECT name FROM people WHERE walk_in = 1")}
    assert {"路人丁", "路人戊"} <= names
    data = raw(pack)
    assert "路人戊".encode() not in data and b"13900000006" not in data


def test_a_refused_walk_in_does_not_leave_the_other_desks_walk_ins_unseen(office: Path) -> None:
    """A write that fails (a walk-in refused as full) is rolled back, and with it the people
    this desk had just opened again: the next walk-in must see the other desk's anyway (it got
    the other desk's row id: 'UNIQUE constraint failed: people.id', found with two desks)."""
    from checkin.storage import write_transaction

    pack = station_pack(office, "东门", office.parent / "east.db")
    with open_db(pack) as first, open_db(pack) as second:
        one, two = Door(first, "东门", "a", clock=CLOCK), Door(second, "东门", "b", clock=CLOCK)
        assert two.admit_walk_in("路人丁", valid_id(905), "13900000005", "群众代表", "246813").admitted
        with pytest.raises(CheckinError), write_transaction(first):  # opens two's walk-in, then fails
            raise CheckinError("door.walk_in_full", present=30, capacity=30)
        verdict = one.admit_walk_in("路人戊", valid_id(906), "13900000006", "群众代表", "246813")
        assert verdict.admitted
        assert one.judge(verdict.invitee.number if verdict.invitee else "").verdict == "already"
    with open_db(pack) as db:
        names = {r[0] for r in db.execute("SELECT name FROM people WHERE walk_in = 1")}
    assert {"路人丁", "路人戊"} <= names
