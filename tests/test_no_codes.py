"""No internal code reaches a user: a full demo run, in both languages, read back in full.

The run does what an office does with the demo event — show it, list people, print
invitations and forms, scan at the door (good, bad, a failed check), key forms, take the
suggestions into the ledger and move them along, export attendance, the ledger, the results
file, take confirmation calls, call the roll on the site visit (one leaves unwell, the bus
leaves with people missing), list buses and the itinerary, export the no-shows and the ledger
as CSV, write the sign-up form, load a mistyped holiday file, write the report as .docx and .html — and then every line printed and every file
written (CSV, Excel, Word, HTML, PDF text, the results file's views) is searched for the
shape of a stored code: `snake_case` words (`id_card`, `no_show`, `in_progress`) and
`name=value` pairs (`id_card=seen`). The screens are covered by the snapshot files.

What is left out, on purpose: `--help` (it documents what to type, codes included), `--json`
output (for programs), and the results file's code columns (for programs that roll units up;
people browse its Chinese views).
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re
import sqlite3
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from checkin.cli import main as cli_main
from checkin.demo import build_demo
from checkin.event import load_event
from checkin.i18n import set_language
from checkin.storage import open_db
from tests.helpers import FONT

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
NAME_VALUE = re.compile(r"\b[A-Za-z_]+=[A-Za-z0-9_.]+")
SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def codes_in(text: str) -> list[str]:
    return SNAKE.findall(text) + NAME_VALUE.findall(text)


class Run:
    """Runs CLI commands in-process and keeps what each printed."""

    def __init__(self, folder: Path, lang: str) -> None:
        self.folder, self.lang = folder, lang
        self.printed: dict[str, str] = {}

    def __call__(self, *args: str, code: int | None = 0) -> str:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            result = cli_main(["--lang", self.lang, *args])
        if code is not None:
            assert result == code, (args, err.getvalue())
        text = out.getvalue() + err.getvalue()
        self.printed[" ".join(args[:2])] = self.printed.get(" ".join(args[:2]), "") + text
        return text


def file_texts(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.rglob("*")):
        suffix = path.suffix.lower()
        if suffix == ".csv":
            yield path.name, path.read_bytes().decode("utf-8-sig", errors="replace")
        elif suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            cells = [
                str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row
            ]
            yield path.name, "\n".join(c for c in cells if c != "None")
        elif suffix == ".docx":
            document = Document(str(path))
            parts = [p.text for p in document.paragraphs]
            parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
            yield path.name, "\n".join(parts)
        elif suffix in (".html", ".htm"):
            page = path.read_text(encoding="utf-8")
            page = re.sub(r"data:[a-z/]+;base64,[A-Za-z0-9+/=]+", "", page)
            page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
            yield path.name, re.sub(r"<[^>]+>", " ", page)
        elif suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            parts = [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
            yield path.name, "\n".join([str(message["Subject"]), *parts])
        elif suffix == ".pdf":
            yield path.name, "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        elif suffix == ".sqlite":
            connection = sqlite3.connect(path)
            try:
                views = [
                    r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
                ]
                rows = [
                    " ".join(str(v) for v in row)
                    for view in views
                    for row in connection.execute(f'SELECT * FROM "{view}"')  # names from the file itself
                ]
            finally:
                connection.close()
            yield path.name, "\n".join(views + rows)


def full_run(folder: Path, lang: str) -> dict[str, str]:
    """The demo event from sign-up to report; returns {what: text the user reads}."""
    run = Run(folder, lang)
    db = str(folder / "demo.db")
    out = folder / "out"
    out.mkdir()
    database, _, _ = build_demo(db)  # what `checkin demo` builds
    database.conn.close()
    run("event", "show", "--db", db)
    run("people", "--db", db)
    run("invites", "--db", db, "--out", str(out / "invites"), "--font", str(FONT))
    with (out / "invites" / "tokens.csv").open(encoding="utf-8-sig") as fh:
        tokens = [row[3] for row in csv.reader(fh)][1:]  # number, name, phone, token
    run("scan", "--db", db, "--station", "东门", "--check", "id_card=seen", tokens[0])
    run("scan", "--db", db, "--station", "东门", tokens[1], code=None)  # checks still due
    run(
        "scan", "--db", db, "--station", "东门", "--check", "id_card=110101199001010011", tokens[1], code=None
    )
    run("scan", "--db", db, "--station", "东门", "HELLO", code=None)
    run("scan", "--db", db, "--station", "东门", "--check", "id_card=seen", tokens[2])
    run("scan", "--db", db, "--station", "东门", "--check", "id_card=seen", tokens[2], code=None)  # again
    run("forms", "--db", db, "--out", str(out / "forms.pdf"), "--count", "3", "--font", str(FONT))
    with sqlite3.connect(db) as connection:  # this event keys every form twice (blind double entry)
        connection.execute("UPDATE event SET double_entry = 1")
    connection.close()
    run("survey", "add", "--db", db, "--form", "1", "--answers", "1,2,1,1,1", "--text", "希望增加停车位")
    run(
        "survey",
        "add",
        "--db",
        db,
        "--form",
        "1",
        "--pass",
        "2",
        "--answers",
        "1,2,2,1,1",
        "--text",
        "希望增加停车位",
    )
    run("survey", "add", "--db", db, "--form", "2", "--answers", "1,1,3,0,1")
    run("survey", "add", "--db", db, "--form", "2", "--pass", "2", "--answers", "1,1,3,0,1")
    run("survey", "mismatches", "--db", db)
    run("survey", "resolve", "--db", db, "--form", "1", "--item", "attitude", "--use", "first")
    run("survey", "summary", "--db", db)
    run("suggestions", "from-surveys", "--db", db)
    run("suggestions", "add", "--db", db, "--text", "建议周末开放", "--source", "forum")
    run("suggestions", "status", "--db", db, "S001", "--to", "assigned", "--department", "办公室")
    run("suggestions", "status", "--db", db, "S001", "--to", "in_progress")
    run("suggestions", "status", "--db", db, "S001", "--to", "resolved", "--outcome", "partly_adopted")
    run("suggestions", "list", "--db", db)
    run("suggestions", "history", "--db", db, "S001")
    run("suggestions", "export", "--db", db, "--out", str(out / "台账.xlsx"))
    run("export", "attendance", "--db", db, "--out", str(out / "签到名单.csv"))
    run("export", "attendance", "--db", db, "--out", str(out / "签到名单.xlsx"))
    run("export", "results", "--db", db, "--out", str(out / "results.sqlite"))
    run("review", "list", "--db", db, "--all")
    run("notices", "--db", db, "--out", str(out / "notices"), "--font", str(FONT))
    # The rest of the day and after it: confirmation calls, the site visit's roll call (one
    # guest leaves unwell, the bus leaves with people missing), the lists and exports the
    # office hands on, the sign-up form, a mistyped holiday file, the survey's conflicts.
    numbers = [row[0] for row in csv.reader((out / "invites" / "tokens.csv").open(encoding="utf-8-sig"))][1:]
    run("confirm", "--db", db, "--status", "declined", numbers[-1])
    run("confirm", "--db", db, "--status", "unreachable", numbers[-2])
    with open_db(db) as database:
        first_stop = load_event(database).stops[0].name
    run("rollcall", "--db", db, "--stop", first_stop, numbers[0])
    run("rollcall", "--db", db, "--stop", first_stop, "--left", "unwell", numbers[2])
    run("rollcall", "--db", db, "--stop", first_stop, "status")
    run("rollcall", "--db", db, "--stop", first_stop, "depart", code=None)  # people missing: refused
    run("rollcall", "--db", db, "--stop", first_stop, "depart", "--anyway")
    run("buses", "list", "--db", db)
    run("itinerary", "show", "--db", db)
    run("survey", "conflicts", "--db", db)
    run("export", "no-shows", "--db", db, "--out", str(out / "未到.csv"))
    run("suggestions", "export", "--db", db, "--out", str(out / "台账.csv"))
    run("signup-form", "--db", db, "--out", str(out / "报名表.docx"))
    run("signup-form", "--db", db, "--out", str(out / "报名表.xlsx"))
    (folder / "2027.toml").write_text("year = 2027\nholidays = [2027-02-30]\n", encoding="utf-8")
    run("holidays", "load", str(folder / "2027.toml"), "--db", db, code=None)
    run("report", "--db", db, "--out", str(out / "活动开展情况.docx"), "--font", str(FONT))
    run("report", "--db", db, "--out", str(out / "活动开展情况.html"), "--font", str(FONT))
    texts = {f"printed by: checkin {k}": v for k, v in run.printed.items()}
    texts.update({f"file {name}": text for name, text in file_texts(out)})
    # Paths the run chose (pytest's folder names) are not the program's words.
    return {k: v.replace(str(folder), "<folder>") for k, v in texts.items()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_internal_code_in_any_output_of_a_full_run(tmp_path: Path, lang: str) -> None:
    texts = full_run(tmp_path, lang)
    assert len(texts) >= 30  # every step printed or wrote something
    # Every kind of file the office hands on was read, not just written.
    kinds = {Path(what).suffix for what in texts if what.startswith("file ")}
    assert {".csv", ".xlsx", ".docx", ".html", ".pdf", ".sqlite", ".eml"} <= kinds, kinds
    found = {what: codes_in(text) for what, text in texts.items() if codes_in(text)}
    assert found == {}, found
    views = texts["file results.sqlite"]
    assert "公开情况" in views and "citizen" not in views and "pending" not in views
    # Plain-word codes the pattern cannot tell from English: the history and the door say
    # who and what in the user's words.
    history = texts["printed by: checkin suggestions history"]
    scans = texts["printed by: checkin scan --db"]
    if lang == "zh":
        assert "办公室\t状态\t待办 → 交办" in history and "office" not in history
        assert "本人身份证：号码不符" in scans and "不是邀请函二维码" in scans
        assert "F00001\t服务态度\t满意 ≠ 基本满意\t待裁定" in texts["printed by: checkin survey mismatches"]
    else:
        assert "Office staff\tStatus\tPending → Assigned" in history


def test_screens_show_no_internal_code() -> None:
    """Every snapshot of the desk's screens (tests/__snapshots__) reads as words."""
    svgs = sorted(SNAPSHOTS.rglob("*.svg"))
    assert svgs
    for svg in svgs:
        text = " ".join(re.findall(r">([^<>]+)</text>", svg.read_text(encoding="utf-8")))
        text = text.replace("&#160;", " ")
        assert codes_in(text) == [], svg.name


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan is not blind: the old outputs it must catch are caught."""
    set_language("zh")
    assert codes_in("查验未通过 id_card 1") == ["id_card"]
    assert codes_in("id_card=seen") == ["id_card", "id_card=seen"]
    assert codes_in("status pending → assigned") == []  # plain words need their own checks:
    assert codes_in("办理中 in_progress") == ["in_progress"]


def test_every_reader_of_the_scan_sees_a_planted_code(tmp_path: Path) -> None:
    """The files' readers are not blind either: a code planted in an Excel cell, a results
    file's view, a Word table, a CSV and a web page is found."""
    from docx import Document as new_document
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["编号", "查验结果"])
    book.active.append(["A001", "id_card=seen"])
    book.save(tmp_path / "a.xlsx")
    connection = sqlite3.connect(tmp_path / "r.sqlite")
    connection.execute("CREATE TABLE t (status TEXT)")
    connection.execute("INSERT INTO t VALUES ('no_show')")
    connection.execute("CREATE VIEW 签到名单 AS SELECT status AS 状态 FROM t")
    connection.commit()
    connection.close()
    document = new_document()
    document.add_table(rows=1, cols=1).cell(0, 0).text = "in_progress"
    document.save(str(tmp_path / "d.docx"))
    (tmp_path / "c.csv").write_text("\ufeff状态\npartly_adopted\n", encoding="utf-8")
    (tmp_path / "p.html").write_text("<p>状态：<b>due_soon</b></p>", encoding="utf-8")
    found = {name: codes_in(text) for name, text in file_texts(tmp_path)}
    assert found == {
        "a.xlsx": ["id_card", "id_card=seen"],
        "c.csv": ["partly_adopted"],
        "d.docx": ["in_progress"],
        "p.html": ["due_soon"],
        "r.sqlite": ["no_show"],
    }, found
