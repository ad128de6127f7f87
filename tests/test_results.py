"""The results file for the county office: documented schema, labels, and no secrets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from checkin.cli import main as cli_main
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.ledger import add_suggestion
from checkin.results import RESULTS_FORMAT, export_results, read_results_info
from checkin.storage import open_db
from checkin.survey import add_entry, allocate_forms, event_template


@pytest.fixture
def office(demo: Path) -> Path:
    db = open_db(demo)
    db.execute("UPDATE event SET checks = 'none'")
    door = Door(db, "东门", "小王")
    invited = [r[0] for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY seq")]
    for number in invited[:5]:
        assert door.judge(number).admitted
    forms = allocate_forms(db, 3)
    width = len(event_template(db).items)
    add_entry(db, forms[0], [1] * width, "停车位太少")
    add_entry(db, forms[1], [2] * width)
    add_suggestion(db, '=HYPERLINK("http://x")', source="forum")
    db.conn.close()
    return demo


def test_results_file_has_the_documented_tables_and_chinese_labels(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.sqlite"
    assert cli_main(["export", "results", "--db", str(office), "--out", str(out)]) == 0
    info = read_results_info(out)
    assert info["format_version"] == RESULTS_FORMAT
    assert info["attended"] == 5
    assert info["forms_counted"] == 2
    conn = sqlite3.connect(out)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    assert {"results_info", "figures", "attendance", "survey_items", "survey_answers", "survey_texts",
            "ledger", "签到名单", "分类统计"} <= tables  # fmt: skip
    labels = {r[0] for r in conn.execute("SELECT 类别 FROM 签到名单")}
    assert "群众代表" in labels and "citizen" not in labels
    arrived = conn.execute("SELECT COUNT(*) FROM attendance WHERE status = 'arrived'").fetchone()[0]
    assert arrived == 5
    total = conn.execute("SELECT invited, arrived FROM figures WHERE category = 'total'").fetchone()
    assert total[1] == 5
    assert conn.execute("SELECT COUNT(*) FROM ledger").fetchone()[0] == 1
    assert conn.execute("SELECT text FROM survey_texts").fetchall() == [("停车位太少",)]
    conn.close()


def test_results_file_holds_no_keys_secrets_hashes_or_full_phones(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.sqlite"
    db = open_db(office)
    export_results(db, out)
    secrets = [bytes(r[0]) for r in db.execute("SELECT value FROM secret")]
    keys = [
        bytes(r[0]) for r in db.execute("SELECT private_key FROM signing_keys WHERE private_key IS NOT NULL")
    ]
    hashes = [r[0] for r in db.execute("SELECT id_hash FROM people")]
    phones = [r[0] for r in db.execute("SELECT phone FROM people WHERE phone IS NOT NULL")]
    names = [r[0] for r in db.execute("SELECT name FROM people WHERE status = 'invited'")]
    db.conn.close()
    raw = out.read_bytes()
    assert secrets and keys and hashes and phones
    for secret in secrets + keys:
        assert secret not in raw and secret.hex().encode() not in raw
    for value in hashes + phones:
        assert value.encode() not in raw, value
    assert all(name.encode() in raw for name in names)  # the names are meant to be there
    conn = sqlite3.connect(out)
    columns = {
        c[1]
        for t in ("attendance", "results_info", "ledger")
        for c in conn.execute(f"PRAGMA table_info({t})")
    }
    conn.close()
    assert not columns & {"id_hash", "phone", "private_key", "secret", "supervisor_pin_hash"}


def test_results_file_is_never_overwritten_and_a_newer_format_is_refused(
    office: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.sqlite"
    db = open_db(office)
    export_results(db, out)
    with pytest.raises(CheckinError):
        export_results(db, out)
    db.conn.close()
    conn = sqlite3.connect(out)
    conn.execute("UPDATE results_info SET format_version = ?", [RESULTS_FORMAT + 1])
    conn.commit()
    conn.close()
    with pytest.raises(CheckinError) as err:
        read_results_info(out)
    assert err.value.key == "results.newer_format"
