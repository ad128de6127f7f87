"""Several laptops, one result: station results bundles and a merge that never loses or
doubles anything.

A bundle is a plain SQLite file holding everything one station recorded — scans (failed
ones too), check-ins, check results, annulments, walk-ins, survey entries, suggestions —
each with a stable unique id, the station and the time. Merging is idempotent and
order-free: any order and any repetition of the same bundles gives the same master. The
same guest admitted at two doors counts once (the earliest check-in wins; the other stays
in the audit, marked `duplicate_of`); the same walk-in registered at two doors (same ID
hash) is one person; two different entries for one survey form are flagged, never
overwritten. A bundle of another event, of a newer format, or a damaged file is refused
before the master is touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.storage import new_file, open_db, write_transaction

BUNDLE_FORMAT = 1
BUNDLE_TABLES = {
    "scans": "SELECT * FROM scans",
    "checkins": "SELECT * FROM checkins",
    "check_results": "SELECT scan_uid, checkin_uid, number, name, value, passed FROM check_results",
    "walk_ins": "SELECT number, name, gender, id_hash, id_masked, age, phone, organization, category, "
    "signed_up_at, source, created_at FROM people WHERE walk_in = 1",
    "survey_entries": "SELECT uid, form, pass, answers, text, at, operator, station FROM survey_entries",
    "suggestions": "SELECT * FROM suggestions",
    "suggestion_history": "SELECT suggestion, at, operator, field, old, new FROM suggestion_history",
    "activity": "SELECT at, action, number, detail FROM activity WHERE action IN "
    "('annul', 'override', 'walk_in', 'pin_refused')",
}


@dataclass
class MergeReport:
    bundle: str
    station: str
    added: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    double_checkins: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "station": self.station,
            "added": self.added,
            "already": self.already,
            "conflicts": self.conflicts,
            "double_checkins": self.double_checkins,
        }


# ---------------------------------------------------------------- export


def export_bundle(db_path: str | Path, out: str | Path) -> Path:
    """Write what this station recorded into a new bundle file (never overwrites)."""
    out = Path(out)
    if out.exists():
        raise CheckinError("pack.exists", path=str(out))
    with open_db(db_path) as db:
        event_id = str(db.execute("SELECT id FROM event").fetchone()[0])
        station_row = db.execute("SELECT name FROM station_info").fetchone()
        station = str(station_row[0]) if station_row else "office"
        tmp = out.with_name(out.name + ".part")
        tmp.unlink(missing_ok=True)
        conn = new_file(tmp)
        try:
            conn.execute("ATTACH DATABASE ? AS station", [str(Path(db_path))])
            with write_transaction(conn):
                conn.execute(
                    "CREATE TABLE bundle_info (format INTEGER NOT NULL, bundle TEXT NOT NULL, event_id "
                    "TEXT NOT NULL, "
                    "station TEXT NOT NULL, exported_at TEXT NOT NULL)"
                )
                conn.execute(
                    "INSERT INTO bundle_info VALUES (?, ?, ?, ?, ?)",
                    [
                        BUNDLE_FORMAT,
                        uuid.uuid4().hex,
                        event_id,
                        station,
                        dt.datetime.now().isoformat(timespec="seconds"),
                    ],
                )
                for table, query in BUNDLE_TABLES.items():
                    qualified = query.replace(" FROM ", " FROM station.", 1)
                    conn.execute(f"CREATE TABLE {table} AS {qualified}")
                conn.execute(
                    "CREATE VIEW attendance AS SELECT number, at AS checked_in_at, station, operator, method "
                    "FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL"
                )
            conn.execute("DETACH DATABASE station")
        finally:
            conn.close()
        tmp.replace(out)
    return out


# ---------------------------------------------------------------- validation


def _master_event_id(master: Path) -> str:
    if not master.is_file():
        raise CheckinError("storage.missing", path=str(master))
    # an ordinary read through open_db: the desk may have the master open at this moment
    with open_db(master) as db:
        row = db.execute("SELECT id FROM event").fetchone()
    if row is None:
        raise CheckinError("event.none")
    return str(row[0])


def validate_bundle(path: Path, event_id: str) -> tuple[str, str, str]:
    """(bundle id, station, exported_at) of a sound bundle of this event; CheckinError otherwise."""
    if not path.is_file():
        raise CheckinError("sync.missing", path=str(path))
    # no Python open() of the bundle: SQLite itself says "not a database" on the first read
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise CheckinError("sync.corrupt", path=str(path), error=str(check))
        info = conn.execute(
            "SELECT format, bundle, event_id, station, exported_at FROM bundle_info"
        ).fetchall()
        if len(info) != 1:
            raise CheckinError("sync.corrupt", path=str(path), error="bundle_info")
        fmt, bundle, bundle_event, station, exported_at = info[0]
        if int(fmt) > BUNDLE_FORMAT:
            raise CheckinError("sync.newer_format", path=str(path), format=fmt)
        if bundle_event != event_id:
            raise CheckinError("sync.other_event", path=str(path))
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = set(BUNDLE_TABLES) - tables
        if missing:
            raise CheckinError("sync.corrupt", path=str(path), error="missing " + ", ".join(sorted(missing)))
        # read the schema and every row: damage must show here, before the master is opened
        conn.execute("SELECT * FROM sqlite_master").fetchall()
        for table in BUNDLE_TABLES:
            conn.execute(f"PRAGMA table_info({table})").fetchall()
            for _ in conn.execute(f"SELECT * FROM {table}"):
                pass
    except (sqlite3.DatabaseError, UnicodeDecodeError, ValueError) as exc:
        raise CheckinError("sync.corrupt", path=str(path), error=str(exc)) from None
    finally:
        conn.close()
    return str(bundle), str(station), str(exported_at)


# ---------------------------------------------------------------- merge


def _count(conn: sqlite3.Connection, sql: str, params: list[Any] | None = None) -> int:
    return int(conn.execute(sql, params or []).fetchone()[0])


def _merge_one(
    conn: sqlite3.Connection, path: Path, bundle: str, station: str, exported_at: str
) -> MergeReport:
    report = MergeReport(bundle=bundle, station=station)
    conn.execute("ATTACH DATABASE ? AS b", [f"{path.absolute().as_uri()}?mode=ro"])
    try:
        with write_transaction(conn):
            _merge_rows(conn, report)
            conn.execute(
                "INSERT OR IGNORE INTO merged_bundles (bundle, station, exported_at, merged_at) "
                "VALUES (?, ?, ?, ?)",
                [bundle, station, exported_at, dt.datetime.now().isoformat(timespec="seconds")],
            )
    finally:
        conn.execute("DETACH DATABASE b")
    return report


def _merge_rows(conn: sqlite3.Connection, report: MergeReport) -> None:
    # walk-ins: one person per ID hash; numbers are derived from the hash, so they agree
    incoming = _count(conn, "SELECT COUNT(*) FROM b.walk_ins")
    new = conn.execute(
        "SELECT w.* FROM b.walk_ins w WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id_hash = w.id_hash)"
    ).fetchall()
    next_seq = _count(conn, "SELECT COALESCE(MAX(seq), 0) FROM people") + 1
    for offset, row in enumerate(new):
        (
            number,
            name,
            gender,
            id_hash,
            id_masked,
            age,
            phone,
            organization,
            category,
            signed_up_at,
            source,
            created,
        ) = row
        in_capacity = int(
            category not in json.loads(conn.execute("SELECT outside_capacity FROM event").fetchone()[0])
        )
        conn.execute(
            "INSERT INTO people (number, seq, name, gender, id_hash, id_masked, age, phone, "
            "organization, category, "
            "signed_up_at, direct, status, in_capacity, source, created_at, updated_at, walk_in) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 'invited', ?, ?, ?, ?, 1)",
            [number, next_seq + offset, name, gender, id_hash, id_masked, age, phone, organization, category,
             signed_up_at, in_capacity, source, created, created],
        )  # fmt: skip
    report.added["walk_ins"], report.already["walk_ins"] = len(new), incoming - len(new)

    # scans: by uid
    before = _count(conn, "SELECT COUNT(*) FROM scans")
    conn.execute(
        "INSERT OR IGNORE INTO scans SELECT NULL, uid, at, station, operator, method, verdict, reason, "
        "number, token_seq, token_counter FROM b.scans"
    )
    added = _count(conn, "SELECT COUNT(*) FROM scans") - before
    report.added["scans"], report.already["scans"] = (
        added,
        _count(conn, "SELECT COUNT(*) FROM b.scans") - added,
    )

    # check-ins: by uid; annulments only ever added; then the earliest live one per person wins
    before = _count(conn, "SELECT COUNT(*) FROM checkins")
    conn.execute("DROP TABLE IF EXISTS temp.touched")
    conn.execute("CREATE TEMP TABLE touched (number TEXT PRIMARY KEY)")
    conn.execute(
        "INSERT OR IGNORE INTO temp.touched SELECT number FROM b.checkins WHERE uid NOT IN (SELECT "
        "uid FROM checkins) "
        "UNION SELECT c.number FROM checkins c JOIN b.checkins x ON x.uid = c.uid "
        "WHERE x.annulled_at IS NOT NULL AND c.annulled_at IS NULL"
    )
    conn.execute(
        "UPDATE checkins SET annulled_at = x.annulled_at, annulled_by = x.annulled_by, annul_reason "
        "= x.annul_reason "
        "FROM b.checkins x WHERE x.uid = checkins.uid AND x.annulled_at IS NOT NULL AND "
        "checkins.annulled_at IS NULL"
    )
    # park every live check-in of the touched people, add the new ones parked too, then pick the winner
    conn.execute(
        "UPDATE checkins SET duplicate_of = 'pending' WHERE annulled_at IS NULL "
        "AND number IN (SELECT number FROM temp.touched)"
    )
    conn.execute(
        "INSERT OR IGNORE INTO checkins (uid, number, at, station, operator, method, "
        "override_reason, annulled_at, "
        "annulled_by, annul_reason, duplicate_of) SELECT uid, number, at, station, operator, method, "
        "override_reason, "
        "annulled_at, annulled_by, annul_reason, CASE WHEN annulled_at IS NULL THEN 'pending' END "
        "FROM b.checkins"
    )
    conn.execute("DROP TABLE IF EXISTS temp.winners")
    conn.execute(
        "CREATE TEMP TABLE winners AS SELECT number, uid, at, station FROM ("
        "SELECT number, uid, at, station, ROW_NUMBER() OVER (PARTITION BY number ORDER BY at, uid) AS rank "
        "FROM checkins WHERE annulled_at IS NULL AND number IN (SELECT number FROM temp.touched)) "
        "WHERE rank = 1"
    )
    conn.execute("CREATE UNIQUE INDEX temp.winners_number ON winners(number)")
    conn.execute("UPDATE checkins SET duplicate_of = NULL WHERE uid IN (SELECT uid FROM temp.winners)")
    conn.execute(
        "UPDATE checkins SET duplicate_of = (SELECT w.uid FROM temp.winners w WHERE w.number = "
        "checkins.number) "
        "WHERE annulled_at IS NULL AND duplicate_of IS NOT NULL AND number IN (SELECT number FROM "
        "temp.touched)"
    )
    for number, kept_at, kept_station, at, station in conn.execute(
        "SELECT c.number, w.at, w.station, c.at, c.station FROM checkins c JOIN temp.winners w ON "
        "w.number = c.number "
        "WHERE c.annulled_at IS NULL AND c.uid <> w.uid ORDER BY c.number, c.at"
    ).fetchall():
        report.double_checkins.append(
            {
                "number": number,
                "kept": {"at": kept_at, "station": kept_station},
                "also": {"at": at, "station": station},
            }
        )
    added = _count(conn, "SELECT COUNT(*) FROM checkins") - before
    report.added["checkins"], report.already["checkins"] = (
        added,
        _count(conn, "SELECT COUNT(*) FROM b.checkins") - added,
    )

    # check results: one per (scan, check)
    before = _count(conn, "SELECT COUNT(*) FROM check_results")
    conn.execute(
        "INSERT OR IGNORE INTO check_results (scan_uid, checkin_uid, number, name, value, passed) "
        "SELECT scan_uid, checkin_uid, number, name, value, passed FROM b.check_results"
    )
    added = _count(conn, "SELECT COUNT(*) FROM check_results") - before
    report.added["check_results"] = added
    report.already["check_results"] = _count(conn, "SELECT COUNT(*) FROM b.check_results") - added

    # survey entries: a form and pass keyed twice differently is a conflict, never an overwrite
    added_entries = already_entries = 0
    for uid, form, pass_no, answers, text, at, operator, station in conn.execute(
        "SELECT * FROM b.survey_entries"
    ).fetchall():
        existing = conn.execute(
            "SELECT uid, answers, text FROM survey_entries WHERE form = ? AND pass = ?", [form, pass_no]
        ).fetchone()
        if existing is None:
            conn.execute(
                "INSERT INTO survey_entries (uid, form, pass, answers, text, at, operator, station) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [uid, form, pass_no, answers, text, at, operator, station],
            )
            conn.execute("INSERT OR IGNORE INTO survey_forms (number, printed_at) VALUES (?, ?)", [form, at])
            added_entries += 1
        elif existing[0] == uid or (existing[1] == answers and existing[2] == text):
            already_entries += 1
        else:
            entry = {"form": form, "pass": pass_no, "answers": json.loads(answers), "text": text}
            detail = json.dumps(
                {**entry, "station": station, "operator": operator, "at": at}, ensure_ascii=False
            )
            conn.execute(
                "INSERT OR IGNORE INTO merge_conflicts (kind, key, bundle, detail) VALUES ('survey', "
                "?, ?, ?)",
                [f"{form}/{pass_no}", report.bundle, detail],
            )
            report.conflicts.append({"kind": "survey", "form": form, "pass": pass_no, "station": station})
    report.added["survey_entries"], report.already["survey_entries"] = added_entries, already_entries

    # suggestions: by uid (a clashing number gets the next free one); their history with them
    added_s = already_s = 0
    columns = [r[1] for r in conn.execute("PRAGMA b.table_info(suggestions)")]
    for row in conn.execute("SELECT * FROM b.suggestions").fetchall():
        data = dict(zip(columns, row, strict=True))
        if conn.execute("SELECT 1 FROM suggestions WHERE uid = ?", [data["uid"]]).fetchone():
            already_s += 1
            continue
        if conn.execute("SELECT 1 FROM suggestions WHERE number = ?", [data["number"]]).fetchone():
            data["number"] = f"S{_count(conn, 'SELECT COUNT(*) FROM suggestions') + 1:03d}"
        data.pop("id", None)
        names = ", ".join(data)
        conn.execute(
            f"INSERT INTO suggestions ({names}) VALUES ({', '.join('?' for _ in data)})", list(data.values())
        )
        added_s += 1
    conn.execute(
        "INSERT INTO suggestion_history (suggestion, at, operator, field, old, new) "
        "SELECT h.suggestion, h.at, h.operator, h.field, h.old, h.new FROM b.suggestion_history h "
        "WHERE NOT EXISTS "
        "(SELECT 1 FROM suggestion_history x WHERE x.suggestion = h.suggestion AND x.at = h.at AND "
        "x.field = h.field "
        "AND x.new IS h.new)"
    )
    report.added["suggestions"], report.already["suggestions"] = added_s, already_s

    # the supervisors' audit trail
    conn.execute(
        "INSERT INTO activity (at, action, number, detail) SELECT a.at, a.action, a.number, a.detail "
        "FROM b.activity a "
        "WHERE NOT EXISTS (SELECT 1 FROM activity x WHERE x.at = a.at AND x.action = a.action "
        "AND x.number IS a.number AND x.detail = a.detail)"
    )


def merge_bundles(master: str | Path, bundles: list[str | Path]) -> list[MergeReport]:
    """Fold bundles into the master, each all-or-nothing; a bad bundle stops before any write."""
    master = Path(master)
    event_id = _master_event_id(master)
    checked = [(Path(b), *validate_bundle(Path(b), event_id)) for b in bundles]
    reports = []
    with open_db(master) as db:
        for path, bundle, station, exported_at in checked:
            reports.append(_merge_one(db.conn, path, bundle, station, exported_at))
    return reports


def attendance_fingerprint(db_path: str | Path) -> str:
    """A digest of who is in (number, earliest check-in time) — equal for equal attendance."""
    with open_db(db_path) as db:
        rows = db.execute(
            "SELECT number, at FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL "
            "ORDER BY number"
        ).fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
