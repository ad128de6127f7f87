"""Bundles are hostile input: 0 accepted, the office file byte-for-byte unchanged, no traceback.

Each attack of issue 14 is replayed twice where it matters: by an outsider with no station
key (the signature fails), and by someone holding a stolen door pack, who can sign — every
value is still validated against the office file before anything is written.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from checkin.demo import build_demo
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.keys import issue_token, reissue
from checkin.pack import revoke_station, station_pack
from checkin.seal import new_signing_pair
from checkin.storage import open_db
from checkin.survey import add_entry, allocate_forms, summarise
from checkin.sync import (
    COLUMNS,
    OFFICE_SEAL_PUBLIC,
    STATION_PRIVATE,
    export_bundle,
    merge_bundles,
    station_records,
    write_bundle,
)
from tests.conftest import valid_id
from tests.helpers import ManualClock, event_day_clock

Tables = dict[str, list[list[Any]]]


CLOCK = event_day_clock(9)


@pytest.fixture(autouse=True)
def event_day() -> ManualClock:
    CLOCK.tick = 0
    return CLOCK


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    folder = tmp_path_factory.mktemp("hostile")
    office = folder / "office.db"
    db, _, _ = build_demo(office)
    db.execute("UPDATE event SET checks = 'none'")
    allocate_forms(db, 10)
    numbers = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY seq")]
    tokens = [issue_token(db, n).token for n in numbers]
    db.conn.close()
    return office, numbers, tokens


@pytest.fixture
def office(template: tuple[Path, list[str], list[str]], tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    shutil.copy(template[0], path)
    return path


def digest(office: Path) -> str:
    """sha256 of the office file and its write-ahead log. The -shm file is left out: it is
    SQLite's shared-memory index, rebuilt from the log, and SQLite may delete it between the
    listing and the read when another connection closes."""
    h = hashlib.sha256()
    for part in (office, office.with_name(office.name + "-wal")):
        try:
            data = part.read_bytes()
        except FileNotFoundError:
            continue
        h.update(part.name.encode() + data)
    return h.hexdigest()


@pytest.fixture
def east(office: Path, template: tuple) -> Path:
    """A door pack that scanned two guests and registered a walk-in."""
    path = station_pack(office, "东门", office.parent / "east.db")
    door = Door(open_db(path), "东门", "a", clock=CLOCK)
    door.scan(template[2][0])
    door.scan(template[2][1])
    door.register_walk_in("路人甲", valid_id(900), "13900000000", "群众代表", "246813")
    door.db.conn.close()
    return path


def forge(pack: Path, change: Callable[[Tables], None], *, key: bytes | None = None) -> Path:
    """A bundle as someone holding the pack (or only `key`) could sign it, after `change`."""
    event_id, station, secrets, tables = station_records(pack)
    tables = copy.deepcopy(tables)
    change(tables)
    out = (
        pack.parent
        / f"forged-{hashlib.sha256(json.dumps(tables, ensure_ascii=False).encode()).hexdigest()[:8]}.sqlite"
    )
    out.unlink(missing_ok=True)
    return write_bundle(
        out, event_id, station, tables, key or secrets[STATION_PRIVATE], secrets[OFFICE_SEAL_PUBLIC]
    )


def refused(office: Path, bundles: list[Path], *keys: str) -> CheckinError:
    """Refused whole, the office file unchanged, and the reason in words in both languages."""
    from checkin.i18n import current_language, set_language

    before = digest(office)
    with pytest.raises(CheckinError) as info:
        merge_bundles(office, bundles)
    assert digest(office) == before
    if keys:
        assert info.value.key in keys, info.value.message()
    assert info.value.message()
    language = current_language()
    try:
        for lang in ("en", "zh"):
            set_language(lang)
            with pytest.raises(CheckinError) as again:
                merge_bundles(office, bundles)
            assert_in_words(again.value.message(), lang, [office, *bundles])
    finally:
        set_language(language)
    assert digest(office) == before
    return info.value


TABLES = "|".join(sorted(COLUMNS))
CODES = re.compile(rf"\b[a-z]+_[a-z_]+\b|\((?:header|tables|format|columns|too large)\)|\b(?:{TABLES})\b")


def assert_in_words(message: str, lang: str, paths: list[Path]) -> None:
    """No table or column name, no code, no SQLite or Python English in a refusal; Chinese
    refusals hold no Latin words at all (the file names aside)."""
    for path in paths:
        message = message.replace(str(path), "")
    assert message.strip()
    assert not CODES.search(message), message
    if lang == "zh":
        assert not re.search(r"[A-Za-z]{2,}", message), message


def row_of(tables: Tables, table: str, **where: Any) -> list[Any]:
    columns = COLUMNS[table]
    for row in tables[table]:
        if all(row[columns.index(k)] == v for k, v in where.items()):
            return row
    raise AssertionError(f"no {table} row {where}")


def set_value(tables: Tables, table: str, column: str, value: Any, index: int = 0) -> None:
    tables[table][index][COLUMNS[table].index(column)] = value


# ------------------------------------------------------------ with a stolen pack: validation


STOLEN_PACK_CASES: dict[str, Callable[[Tables], None]] = {
    "checkin dated 2099": lambda t: set_value(t, "checkins", "at", "2099-12-18T09:00:00.000"),
    "checkin at 0000-01-01": lambda t: set_value(t, "checkins", "at", "0000-01-01T00:00:00"),
    "checkin the day before": lambda t: set_value(t, "checkins", "at", "2026-12-17T23:59:59.000"),
    "walk-in category god": lambda t: set_value(t, "walk_ins", "category", "god"),
    "walk-in age -5": lambda t: set_value(t, "walk_ins", "age", -5),
    "walk-in 5,000,000-character name": lambda t: set_value(t, "walk_ins", "name", "王" * 5_000_000),
    "walk-in name with NUL": lambda t: set_value(t, "walk_ins", "name", "王\x00五"),
    "walk-in name with OSC 52": lambda t: set_value(t, "walk_ins", "name", "\x1b]52;c;ZXZpbA==\x07"),
    "walk-in number not from the hash": lambda t: set_value(t, "walk_ins", "number", "W00000"),
    "invented person admitted": lambda t: set_value(t, "checkins", "number", "A999"),
    "another door's check-in annulled": lambda t: t["checkins"].append(
        [
            "f" * 32,
            t["checkins"][0][1],
            "2026-12-18T09:00:00.000",
            "西门",
            "x",
            "scan",
            None,
            "2026-12-18T09:05:00.000",
            "x",
            "annulled",
        ]
    ),
    "forged override in another door's audit": lambda t: t["activity"].append(
        ["2026-12-18T09:00:00.000", "override", t["checkins"][0][1], '{"station": "西门", "reason": "x"}']
    ),
    "override without a reason": lambda t: (
        set_value(t, "checkins", "method", "override"),
        set_value(t, "checkins", "override_reason", None),
    ),
    "unknown verdict": lambda t: set_value(t, "scans", "verdict", "'); DROP TABLE people; --"),
    "survey answers not JSON": lambda t: t["survey_entries"].append(
        ["e" * 32, 7, 1, "[1, 1,", "", "2026-12-18T09:00:00", "x", "东门"]
    ),
    "survey answers out of range": lambda t: t["survey_entries"].append(
        ["e" * 32, 7, 1, "[9, 9, 9, 9, 9]", "", "2026-12-18T09:00:00", "x", "东门"]
    ),
    "survey answers of the wrong shape": lambda t: t["survey_entries"].append(
        ["e" * 32, 7, 1, '{"a": 1}', "", "2026-12-18T09:00:00", "x", "东门"]
    ),
    "check result for a scan not in the bundle": lambda t: t["check_results"].append(
        ["d" * 32, None, None, "id_card", "seen", 1]
    ),
    "a row with an extra column": lambda t: t["scans"][0].append("x"),
    "a row with a column missing": lambda t: t["checkins"][0].pop(),
    "a number where text belongs": lambda t: set_value(t, "scans", "operator", 12345),
    "a boolean where a flag belongs": lambda t: t["check_results"].append(
        [t["scans"][0][0], None, None, "id_card", "seen", True]
    ),
    "suggestion with a bad status": lambda t: t["suggestions"].append(
        [
            "c" * 32,
            "S901",
            "text",
            "forum",
            None,
            None,
            None,
            None,
            None,
            "2027-01-08",
            "hacked",
            None,
            None,
            None,
            None,
            "2026-12-18T10:00:00",
            "2026-12-18T10:00:00",
        ]
    ),
    "history for an unknown suggestion": lambda t: t["suggestion_history"].append(
        ["b" * 32, "2026-12-18T10:00:00", "x", "text", "old", "new"]
    ),
    "an unknown table": lambda t: t.update({"signing_keys": [[1, "x"]]}),
    "a table missing": lambda t: t.pop("activity"),
}


@pytest.mark.parametrize("case", sorted(STOLEN_PACK_CASES))
def test_a_signed_bundle_with_a_bad_value_is_refused_whole(office: Path, east: Path, case: str) -> None:
    good = export_bundle(east, east.parent / "good.sqlite")
    bad = forge(east, STOLEN_PACK_CASES[case])
    refused(office, [good, bad], "sync14.invalid", "sync.corrupt")
    db = open_db(office)
    assert db.execute("SELECT COUNT(*) FROM merged_bundles").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0
    db.conn.close()


def test_sql_in_a_value_is_stored_as_text_never_run(office: Path, east: Path) -> None:
    payload = "x'); UPDATE suggestions SET text = 'pwned' WHERE number = 'S001'; --"
    bundle = forge(east, lambda t: set_value(t, "scans", "operator", payload[:50]))
    merge_bundles(office, [bundle])
    db = open_db(office)
    assert db.execute("SELECT operator FROM scans WHERE operator LIKE 'x''); UPDATE%'").fetchone()
    assert db.execute("SELECT COUNT(*) FROM signing_keys WHERE private_key IS NOT NULL").fetchone()[0] == 1


# ------------------------------------------------------------ without a key: authenticity


def test_an_outsider_cannot_sign_a_bundle(office: Path, east: Path) -> None:
    stranger, _ = new_signing_pair()
    bad = forge(east, lambda t: None, key=stranger)
    refused(office, [bad], "sync14.unknown_station")


def test_a_bundle_from_another_office_is_refused(office: Path, tmp_path: Path, template: tuple) -> None:
    other_office = tmp_path / "other" / "office.db"
    other_office.parent.mkdir()
    shutil.copy(template[0], other_office)  # the same event id, but its own station keys
    pack = station_pack(other_office, "东门", other_office.parent / "east.db")
    Door(open_db(pack), "东门", "a", clock=CLOCK).scan(template[2][0])
    refused(office, [export_bundle(pack, pack.parent / "b.sqlite")], "sync14.unknown_station")


def test_a_bundle_from_another_event_is_refused(office: Path, east: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    db, _, _ = build_demo(other)
    db.conn.close()
    pack = station_pack(other, "东门", tmp_path / "other-east.db")
    refused(office, [export_bundle(pack, tmp_path / "o.sqlite")], "sync.other_event")


@pytest.mark.parametrize("where", ["header", "sealed", "signature", "station", "counts"])
def test_tampering_after_signing_is_refused(office: Path, east: Path, tmp_path: Path, where: str) -> None:
    good = export_bundle(east, east.parent / "good.sqlite")
    bad = tmp_path / "bad.sqlite"
    shutil.copy(good, bad)
    conn = sqlite3.connect(bad)
    header, sealed = conn.execute("SELECT header, sealed FROM bundle_info").fetchone()
    if where == "sealed":
        body = bytearray(sealed)
        body[len(body) // 2] ^= 1
        conn.execute("UPDATE bundle_info SET sealed = ?", [bytes(body)])
    elif where == "signature":
        conn.execute("UPDATE bundle_info SET signature = ?", [bytes(64)])
    elif where == "station":
        conn.execute("UPDATE bundle_info SET header = ?", [header.replace("东门", "西门")])
    elif where == "counts":
        data = json.loads(header)
        data["counts"]["scans"] += 1
        conn.execute(
            "UPDATE bundle_info SET header = ?",
            [json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))],
        )
    else:
        conn.execute("UPDATE bundle_info SET header = ?", [header.replace('"format":3', '"format":3 ')])
    conn.commit()
    conn.close()
    refused(office, [good, bad], "sync14.bad_signature", "sync.corrupt")


def test_tampering_any_single_row_after_signing_is_refused(office: Path, east: Path) -> None:
    """Re-sealing altered rows without the station key cannot keep the signature."""
    event_id, station, secrets, tables = station_records(east)
    stranger, _ = new_signing_pair()
    for table, rows in tables.items():
        for index in range(len(rows)):
            altered = copy.deepcopy(tables)
            altered[table][index] = list(reversed(altered[table][index]))
            out = east.parent / f"t-{table}-{index}.sqlite"
            write_bundle(out, event_id, station, altered, stranger, secrets[OFFICE_SEAL_PUBLIC])
            refused(office, [out], "sync14.unknown_station")


def test_an_unsigned_old_format_bundle_with_column_name_injection_is_refused(
    office: Path, tmp_path: Path
) -> None:
    """The attack of issue 14: a crafted column name in an old, unsigned bundle's suggestions."""
    event_id = sqlite3.connect(office).execute("SELECT id FROM event").fetchone()[0]
    bad = tmp_path / "old.sqlite"
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TABLE bundle_info (format, bundle, event_id, station, exported_at)")
    conn.execute("INSERT INTO bundle_info VALUES (1, 'x', ?, 'east', '2026-12-18T10:00:00')", [event_id])
    conn.execute(
        'CREATE TABLE suggestions (uid, "text) SELECT private_key FROM signing_keys --" TEXT, number)'
    )
    conn.commit()
    conn.close()
    refused(office, [bad], "sync14.unsigned")


def test_a_revoked_station_is_refused_from_then_on(office: Path, east: Path) -> None:
    good = export_bundle(east, east.parent / "good.sqlite")
    db = open_db(office)
    revoke_station(db, "东门")
    db.conn.close()
    refused(office, [good], "sync14.revoked_station")


def test_failures_print_a_message_never_a_traceback(office: Path, east: Path, tmp_path: Path) -> None:
    good = export_bundle(east, east.parent / "good.sqlite")
    cases = [
        forge(east, STOLEN_PACK_CASES["walk-in category god"]),
        forge(east, lambda t: None, key=new_signing_pair()[0]),
        tmp_path / "missing.sqlite",
    ]
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    cases.append(garbage)
    before = digest(office)
    for bad in cases:
        run = subprocess.run(
            [sys.executable, "-m", "screens.main", "merge", "--db", str(office), str(good), str(bad)],
            capture_output=True, text=True, encoding="utf-8", check=False,
        )  # fmt: skip
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr and run.stderr.strip()
    assert digest(office) == before


# ------------------------------------------------------------ what merge reports and counts


def test_admission_of_a_token_revoked_before_the_scan_is_flagged(
    office: Path, template: tuple, event_day: ManualClock
) -> None:
    _, numbers, tokens = template
    pack = station_pack(office, "西门", office.parent / "west.db")
    db = open_db(office)
    reissue(db, numbers[3])  # the invitation leaked; the pack was made before
    db.conn.close()
    event_day.tick = 30
    assert Door(open_db(pack), "西门", "b", clock=CLOCK).scan(tokens[3]).admitted  # the stale pack lets it in
    reports = merge_bundles(office, [export_bundle(pack, pack.parent / "w.sqlite")])
    assert [r["number"] for r in reports[0].revoked_admissions] == [numbers[3]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_admission_on_a_key_revoked_after_the_pack_was_made_is_flagged(
    office: Path, template: tuple, event_day: ManualClock, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    """`keys revoke KEYID` after the pack was made: the pack still knows that key's public half
    and lets its invitations in; merge flags every such admission, in words, and in --json."""
    from checkin.cli import main as cli_main
    from checkin.i18n import set_language

    _, numbers, tokens = template
    pack = station_pack(office, "西门", office.parent / "west.db")
    with open_db(office) as db:
        key_id = int(db.execute("SELECT key_id FROM signing_keys WHERE retired_at IS NULL").fetchone()[0])
    assert cli_main(["--lang", lang, "keys", "revoke", f"{key_id:04X}", "--db", str(office)]) == 0
    event_day.tick = 30
    with open_db(pack) as db:
        db.execute("UPDATE event SET checks = 'id-only'")  # the usual way in: scan, then the form
        door = Door(db, "西门", "b", clock=CLOCK)
        first = door.scan(tokens[1])
        assert first.verdict == "needs_checks" and first.method == "scan" and first.token is not None
        admitted = door.judge(numbers[1], {"id_card": "seen"}, method=first.method, token=first.token)
        assert admitted.admitted, admitted
        assert door.scan(tokens[2]).verdict == "needs_checks"  # scanned, never admitted: not flagged
    out = pack.parent / "w.sqlite"
    export_bundle(pack, out)
    capsys.readouterr()
    set_language(lang)
    assert cli_main(["--lang", lang, "merge", "--db", str(office), str(out)]) == 0
    said = capsys.readouterr().out
    assert numbers[1] in said and f"{key_id:04X}" in said and numbers[2] not in said
    assert (
        ("吊销" in said and "Note" not in said)
        if lang == "zh"
        else ("revoked" in said and "注意" not in said)
    )
    assert "T09:" not in said  # times in words, not ISO codes
    assert cli_main(["--lang", lang, "merge", "--db", str(office), str(out), "--json"]) == 0
    flagged = json.loads(capsys.readouterr().out)[0]["revoked_admissions"]
    assert [(f["number"], f["key"]) for f in flagged] == [(numbers[1], f"{key_id:04X}")]


def test_a_format_2_bundle_from_an_earlier_pack_still_merges(
    office: Path, east: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Format 3 added the invitation key to each scan; a format-2 bundle has none and merges."""
    from checkin import sync

    event_id, station, secrets, tables = station_records(east)
    tables["scans"] = [row[:-1] for row in tables["scans"]]
    monkeypatch.setattr(sync, "BUNDLE_FORMAT", 2)
    old = write_bundle(east.parent / "old.sqlite", event_id, station, tables,
                       secrets[STATION_PRIVATE], secrets[OFFICE_SEAL_PUBLIC])  # fmt: skip
    monkeypatch.setattr(sync, "BUNDLE_FORMAT", 3)
    [report] = merge_bundles(office, [old])
    assert report.added["scans"] == len(tables["scans"]) > 0
    with open_db(office) as db:
        assert db.execute("SELECT COUNT(*) FROM scans WHERE token_key IS NOT NULL").fetchone()[0] == 0


def test_conflicting_survey_entries_leave_the_form_out_whatever_the_order(
    office: Path, tmp_path: Path
) -> None:
    east = station_pack(office, "东门", office.parent / "e.db")
    west = station_pack(office, "西门", office.parent / "w.db")
    add_entry(open_db(east), 5, [1, 1, 1, 1, 1], "好")
    add_entry(open_db(west), 5, [3, 3, 3, 3, 3], "差")
    add_entry(open_db(west), 6, [1, 1, 1, 1, 1], "")
    e, w = export_bundle(east, tmp_path / "e.sqlite"), export_bundle(west, tmp_path / "w.sqlite")
    results = []
    for order in ([e, w], [w, e]):
        master = tmp_path / f"m{len(results)}.db"
        shutil.copy(office, master)
        merge_bundles(master, order)
        summary = summarise(open_db(master)).to_json()
        results.append((summary["forms_counted"], summary["overall_satisfaction"]))
    assert results[0] == results[1] == (1, 1.0)


@pytest.mark.parametrize("order", ["east first", "west first"])
def test_a_conflicting_form_is_listed_settled_once_and_stays_settled(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], order: str
) -> None:
    """`survey conflicts` lists both entries in words; `survey keep` keeps one, with who in the
    audit; the form counts again with the kept answers; merging the bundles again, in any
    order, changes nothing."""
    from checkin.cli import main as cli_main

    east = station_pack(office, "东门", office.parent / "e.db")
    west = station_pack(office, "西门", office.parent / "w.db")
    with open_db(east) as db:
        add_entry(db, 5, [1, 1, 1, 1, 1], "好")
    with open_db(west) as db:
        add_entry(db, 5, [3, 3, 3, 3, 3], "差")
        add_entry(db, 6, [1, 1, 1, 1, 1], "")
    e, w = export_bundle(east, tmp_path / "e.sqlite"), export_bundle(west, tmp_path / "w.sqlite")
    bundles = [e, w] if order == "east first" else [w, e]
    merge_bundles(office, bundles)
    capsys.readouterr()

    assert cli_main(["--lang", "zh", "survey", "summary", "--db", str(office)]) == 0
    assert "1 份测评表在两台电脑上录入不一致" in capsys.readouterr().out
    assert cli_main(["--lang", "zh", "survey", "conflicts", "--db", str(office)]) == 0
    listed = capsys.readouterr().out
    assert "测评表 F00005" in listed, listed
    assert "东门" in listed and "西门" in listed and "“好”" in listed and "“差”" in listed
    assert "不满意" in listed and "满意" in listed  # answers in the form's words, not 1/3
    assert "None" not in listed and "[1, 1" not in listed and "office" not in listed
    assert cli_main(["survey", "conflicts", "--db", str(office), "--json"]) == 0
    [conflict] = json.loads(capsys.readouterr().out)
    west_entry = next(e["entry"] for e in conflict["entries"] if e["station"] == "西门")

    assert cli_main(["--lang", "zh", "survey", "keep", "--db", str(office), "--form", "5", "--entry", "9",
                     "--operator", "王主任"]) == 2  # fmt: skip
    assert "没有第“9”份录入" in capsys.readouterr().err
    assert cli_main(["--lang", "zh", "survey", "keep", "--db", str(office), "--form", "5",
                     "--entry", str(west_entry), "--operator", "王主任"]) == 0  # fmt: skip
    assert "已保留" in capsys.readouterr().out
    with open_db(office) as db:
        summary = summarise(db)
        audit = [
            json.loads(r[0])
            for r in db.execute("SELECT detail FROM activity WHERE action = 'survey_conflict'")
        ]
        answers = json.loads(db.execute("SELECT answers FROM survey_entries WHERE form = 5").fetchone()[0])
    assert (summary.forms_counted, summary.forms_in_conflict, summary.overall_rate) == (2, 0, 0.5)
    assert answers == [3, 3, 3, 3, 3]
    assert [(a["operator"], a["kept"]["station"], [x["station"] for x in a["left_out"]]) for a in audit] == [
        ("王主任", "西门", ["东门"])
    ]
    for again in ([e, w], [w, e]):
        reports = merge_bundles(office, again)
        assert all(r.conflicts == [] and r.added.get("survey_entries", 0) == 0 for r in reports)
    with open_db(office) as db:
        assert summarise(db).to_json() == summary.to_json()
    assert cli_main(["--lang", "en", "survey", "conflicts", "--db", str(office)]) == 0
    assert "No survey form" in capsys.readouterr().out


def test_a_header_that_is_not_utf8_is_refused_cleanly(office: Path, east: Path, tmp_path: Path) -> None:
    """Found by the fuzz test: a flipped byte inside the header text."""
    good = export_bundle(east, east.parent / "good.sqlite")
    bad = tmp_path / "bad.sqlite"
    shutil.copy(good, bad)
    conn = sqlite3.connect(bad)
    conn.execute("UPDATE bundle_info SET header = CAST(X'7B22DF22' AS TEXT)")
    conn.commit()
    conn.close()
    refused(office, [bad], "sync.corrupt")


def test_a_bundle_whose_bundle_info_is_an_endless_view_is_refused_not_run(office: Path) -> None:
    """The file's own SQL is never run: a recursive view used to hang `merge` (and eat memory)."""
    bad = office.parent / "endless.sqlite"
    conn = sqlite3.connect(bad)
    conn.execute(
        "CREATE VIEW bundle_info AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
        "SELECT 2 AS format, 'h' AS header, x'00' AS sealed, x'00' AS signature FROM n"
    )
    conn.commit()
    conn.close()
    before = digest(office)
    done = subprocess.run(
        [sys.executable, "-m", "screens.main", "merge", "--db", str(office), str(bad)],
        capture_output=True, text=True, encoding="utf-8", check=False, timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert digest(office) == before
