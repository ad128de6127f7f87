"""The results file for the county office: `checkin export results --db E --out results.sqlite`.

A plain SQLite file that leaves the office. It holds the figures, attendance (names,
categories, masked phone and masked ID), the counted survey forms and the suggestions
ledger — and nothing else: no keys, no secrets, no ID hashes, no full phone numbers, no
supervisor PIN hash, no scans or audit trail. It is what Datasette may be pointed at
(`datasette results.sqlite`), never the office file.

Schema, format version 1 (`RESULTS_FORMAT`). Tables keep stable English column names and
codes for programs that roll several units up; every code has a `*_label` column beside
it with the Chinese label (群众代表, not `citizen`). Views with Chinese names and Chinese
column headings show the same data for people browsing the file.

results_info (exactly one row)
    format_version INTEGER   1; a reader refuses a file with a higher number
    event_id TEXT            the event's id (32 hex characters), stable across exports
    event_title TEXT
    organiser TEXT           the organising unit (may be empty)
    event_date TEXT          YYYY-MM-DD
    location TEXT
    exported_at TEXT         local time, YYYY-MM-DDTHH:MM:SS
    program_version TEXT
    citizen_share REAL       share of citizens among those inside who take a place (or NULL)
    attended INTEGER         people checked in
    forms_counted INTEGER    survey forms that count in the figures
    return_rate REAL         min(forms_counted, attended) / attended: at most 1 (or NULL)
    overall_satisfaction REAL
    overall_method TEXT      how overall_satisfaction was computed (Chinese)

figures (one row per category with anyone invited or declined, then category 'total')
    category TEXT, category_label TEXT, invited INTEGER, arrived INTEGER, no_show INTEGER,
    declined INTEGER, citizen INTEGER (1: counts as 群众代表 for the share, also an event's
    own category), takes_place INTEGER (0: outside capacity, 媒体记者不占用名额); both NULL
    on 'total' (a reader of an older file takes citizen = code 'citizen', takes_place = not 'media'),
    turned_away INTEGER (invited guests who came to the door, were refused and never admitted,
    到场未入场: not among no_show; invited = arrived − walk-ins + turned_away + no_show; absent in
    older files, whose no_show counted them). `arrived` counts the people registered at the door
    (walk-ins, never invited) among those who came — the county's 30-per-site and citizen-share
    checks are of everyone who came — and `invited` does not: each walk-in is an attendance row
    with walk_in = 1

attendance (everyone invited, declined or on the waiting list)
    number TEXT, name TEXT, category TEXT, category_label TEXT, organization TEXT,
    phone_masked TEXT (138****5678), id_masked TEXT (last four only), status TEXT
    (arrived | turned_away | no_show | declined | waiting), status_label TEXT, checked_in_at TEXT,
    station TEXT, walk_in INTEGER

survey_items (one row per item of the event's form)
    item TEXT, item_label TEXT, scale TEXT (3level | 5point | yesno), valid INTEGER,
    blanks INTEGER, satisfied INTEGER, satisfaction_rate REAL, mean REAL

survey_answers (one row per counted form and item; forms in conflict are left out)
    form TEXT (F000123), item TEXT, item_label TEXT, value INTEGER (0 = blank),
    value_label TEXT

survey_texts (the written comments of counted forms)
    form TEXT, text TEXT

ledger (every suggestion, 意见建议台账)
    number TEXT, text TEXT, source TEXT, source_label TEXT, form TEXT, raised_by TEXT,
    category TEXT, department TEXT, handed_over_at TEXT, due_date TEXT, status TEXT,
    status_label TEXT, outcome TEXT, outcome_label TEXT, reason TEXT, reply TEXT,
    replied_at TEXT

publicity (the announcement and the posting on the website's 政府开放日 column, if recorded
with `checkin event announced|posted`; issue 20)
    kind TEXT (announced | posted), on_date TEXT (YYYY-MM-DD), url TEXT

Views: 活动信息, 分类统计, 签到名单, 满意度, 意见建议台账, 公开情况 (Chinese headings, labels only;
shares and rates as percentages, 57.1%).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin import __version__
from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.event import load_event
from checkin.i18n import current_language, set_language, tr
from checkin.phone import mask_phone
from checkin.storage import new_file, write_transaction

RESULTS_FORMAT = 1


def _percent(column: str, heading: str) -> str:
    """A share stored as 0.571… shown in a view as 57.1% (empty when there is none)."""
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE printf('%.1f%%', {column} * 100) END AS {heading}"


SCHEMA = (
    """CREATE TABLE results_info (
        format_version INTEGER NOT NULL, event_id TEXT NOT NULL, event_title TEXT NOT NULL,
        organiser TEXT NOT NULL, event_date TEXT NOT NULL, location TEXT NOT NULL,
        exported_at TEXT NOT NULL, program_version TEXT NOT NULL, citizen_share REAL,
        attended INTEGER NOT NULL, forms_counted INTEGER NOT NULL, return_rate REAL,
        overall_satisfaction REAL, overall_method TEXT NOT NULL)""",
    """CREATE TABLE figures (
        category TEXT NOT NULL, category_label TEXT NOT NULL, invited INTEGER NOT NULL,
        arrived INTEGER NOT NULL, no_show INTEGER NOT NULL, declined INTEGER NOT NULL,
        citizen INTEGER, takes_place INTEGER, turned_away INTEGER NOT NULL)""",
    """CREATE TABLE attendance (
        number TEXT NOT NULL, name TEXT NOT NULL, category TEXT NOT NULL,
        category_label TEXT NOT NULL, organization TEXT NOT NULL, phone_masked TEXT NOT NULL,
        id_masked TEXT NOT NULL, status TEXT NOT NULL, status_label TEXT NOT NULL,
        checked_in_at TEXT NOT NULL, station TEXT NOT NULL, walk_in INTEGER NOT NULL)""",
    """CREATE TABLE survey_items (
        item TEXT NOT NULL, item_label TEXT NOT NULL, scale TEXT NOT NULL, valid INTEGER NOT NULL,
        blanks INTEGER NOT NULL, satisfied INTEGER NOT NULL, satisfaction_rate REAL, mean REAL)""",
    """CREATE TABLE survey_answers (
        form TEXT NOT NULL, item TEXT NOT NULL, item_label TEXT NOT NULL, value INTEGER NOT NULL,
        value_label TEXT NOT NULL)""",
    "CREATE TABLE survey_texts (form TEXT NOT NULL, text TEXT NOT NULL)",
    """CREATE TABLE ledger (
        number TEXT NOT NULL, text TEXT NOT NULL, source TEXT NOT NULL, source_label TEXT NOT NULL,
        form TEXT NOT NULL, raised_by TEXT NOT NULL, category TEXT NOT NULL, department TEXT NOT NULL,
        handed_over_at TEXT NOT NULL, due_date TEXT NOT NULL, status TEXT NOT NULL,
        status_label TEXT NOT NULL, outcome TEXT NOT NULL, outcome_label TEXT NOT NULL,
        reason TEXT NOT NULL, reply TEXT NOT NULL, replied_at TEXT NOT NULL)""",
    "CREATE TABLE publicity (kind TEXT NOT NULL, on_date TEXT NOT NULL, url TEXT)",
    f"""CREATE VIEW 活动信息 AS SELECT event_title AS 活动名称, organiser AS 主办单位,
        event_date AS 活动日期, location AS 地点, attended AS 到场人数,
        {_percent("citizen_share", "群众代表占比")}, forms_counted AS 有效问卷,
        {_percent("return_rate", "问卷回收率")},
        {_percent("overall_satisfaction", "总体满意率")},
        replace(exported_at, 'T', ' ') AS 导出时间, format_version AS 格式版本
        FROM results_info""",
    """CREATE VIEW 分类统计 AS SELECT category_label AS 类别, invited AS 邀请, arrived AS 到场,
        turned_away AS 到场未入场, no_show AS 未到, declined AS 婉拒 FROM figures""",
    """CREATE VIEW 签到名单 AS SELECT number AS 编号, name AS 姓名, category_label AS 类别,
        organization AS 单位, phone_masked AS 电话, id_masked AS 证件号, status_label AS 状态,
        checked_in_at AS 签到时间, station AS 签到点 FROM attendance""",
    f"""CREATE VIEW 满意度 AS SELECT item_label AS 项目, valid AS 有效回答, blanks AS 未填,
        satisfied AS 满意, {_percent("satisfaction_rate", "满意率")},
        round(mean, 2) AS 平均分 FROM survey_items""",
    """CREATE VIEW 意见建议台账 AS SELECT number AS 编号, text AS 意见建议, source_label AS 来源,
        department AS 承办部门, due_date AS 办理期限, status_label AS 状态,
        outcome_label AS 采纳情况, reply AS 答复, replied_at AS 答复日期 FROM ledger""",
    """CREATE VIEW 公开情况 AS SELECT CASE kind WHEN 'announced' THEN '活动公告'
        WHEN 'posted' THEN '网站“政府开放日”栏目展示' ELSE '其他' END AS 事项,
        on_date AS 日期, url AS 网址 FROM publicity""",
)


@contextmanager
def _language(lang: str) -> Iterator[None]:
    before = current_language()
    set_language(lang)
    try:
        yield
    finally:
        set_language(before)


def _rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the results file, read from the event file (labels in Chinese)."""
    from checkin.board import build_board, turned_away
    from checkin.exports import attendance_status
    from checkin.ledger import list_suggestions
    from checkin.report import gather
    from checkin.survey import counted_forms, event_template, format_form

    event = load_event(db)
    data = gather(db)
    summary = data.survey
    assert summary is not None
    board = build_board(db)
    share = float(board.citizen_share) if board.citizen_share is not None else None
    info = [
        (
            RESULTS_FORMAT, event.id, event.title, event.organizer or "", event.date.isoformat(),
            event.location or "", dt.datetime.now().isoformat(timespec="seconds"), __version__, share,
            summary.attended, summary.forms_counted, data.return_rate, summary.overall_rate,
            summary.overall_method,
        )
    ]  # fmt: skip
    kinds = {c.code: c for c in event.category_list()}
    figures: list[tuple[Any, ...]] = [
        (
            f.category, category_label(f.category), f.invited, f.arrived, f.no_show, f.declined,
            int(kinds[f.category].citizen) if f.category in kinds else int(f.category == "citizen"),
            int(kinds[f.category].takes_place) if f.category in kinds else int(f.category != "media"),
            f.turned_away,
        )
        for f in data.categories
    ]  # fmt: skip
    total = data.totals
    figures.append(
        (
            "total", tr("results.total"), total.invited, total.arrived, total.no_show, total.declined,
            None, None, total.turned_away,
        )
    )  # fmt: skip

    attendance = []
    refused = turned_away(db)
    for row in db.query(
        "SELECT p.number, p.name, p.category, p.organization, p.phone, p.id_masked, p.status, p.walk_in, "
        "c.at, c.station FROM people p LEFT JOIN live_checkins c ON c.number = p.number "
        "WHERE p.status IN ('invited', 'declined', 'waiting') "
        "ORDER BY p.status != 'invited', p.queue_pos, p.seq"
    ):
        status = attendance_status(row["status"], bool(row["at"]), row["number"] in refused)
        attendance.append(
            (
                row["number"], row["name"], row["category"], category_label(row["category"]),
                row["organization"] or "", mask_phone(row["phone"] or ""), row["id_masked"], status,
                tr(f"export.status.{status}"), (row["at"] or "")[:19].replace("T", " "),
                row["station"] or "", int(row["walk_in"]),
            )
        )  # fmt: skip

    items = [
        (i.name, i.label, i.scale, i.valid, i.blanks, i.satisfied, i.satisfaction_rate, i.mean)
        for i in summary.items
    ]
    template = event_template(db)
    answers = []
    texts = []
    for form, (values, text) in sorted(counted_forms(db).items()):
        for item, value in zip(template.items, values, strict=False):
            answers.append((format_form(form), item.name, item.label(), value, item.value_label(value)))
        if text:
            texts.append((format_form(form), text))

    ledger = []
    for s in list_suggestions(db):
        ledger.append(
            (
                s.number, s.text, s.source, tr(f"ledger.source.{s.source}"),
                format_form(s.form) if s.form is not None else "", s.raised_by or "", s.category or "",
                s.department or "", s.handed_over_at or "", s.due_date, s.status,
                tr(f"ledger.status.{s.status}"), s.outcome or "",
                tr(f"ledger.outcome.{s.outcome}") if s.outcome else "", s.reason or "", s.reply or "",
                s.replied_at or "",
            )
        )  # fmt: skip
    return {
        "results_info": info,
        "figures": figures,
        "attendance": attendance,
        "survey_items": items,
        "survey_answers": answers,
        "survey_texts": texts,
        "ledger": ledger,
        "publicity": [tuple(r) for r in db.execute("SELECT kind, on_date, url FROM publicity ORDER BY kind")],
    }


def export_results(db: Database, out: str | Path) -> Path:
    """Write the results file (never overwrites; 0600 on POSIX; whole or not at all)."""
    out = Path(out)
    if out.exists():
        raise CheckinError("pack.exists", path=str(out))
    with _language("zh"):
        rows = _rows(db)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    conn = new_file(tmp)  # created by SQLite itself, owner-only
    try:
        with write_transaction(conn):
            for statement in SCHEMA:
                conn.execute(statement)
            for table, values in rows.items():
                if values:
                    marks = ", ".join("?" for _ in values[0])
                    conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)
        raise
    conn.close()
    tmp.replace(out)
    return out


def read_results_info(path: str | Path) -> dict[str, Any]:
    """The `results_info` row of a results file; refuses a newer format or a damaged file."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("storage.missing", path=str(path))
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM results_info").fetchall()
    except sqlite3.DatabaseError as exc:
        raise CheckinError("results.unreadable", path=str(path), error=str(exc)) from None
    finally:
        conn.close()
    if len(rows) != 1:
        raise CheckinError("results.unreadable", path=str(path), error="results_info")
    info = dict(rows[0])
    if not isinstance(info["format_version"], int) or info["format_version"] > RESULTS_FORMAT:
        raise CheckinError("results.newer_format", path=str(path), format=info["format_version"])
    return info
