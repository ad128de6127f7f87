"""Notices ready to send: .eml drafts parsed back with Python's email package, sms.csv with
full numbers, each notice written once."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import os
import stat
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.cli import main
from checkin.event import Event, create_event
from checkin.groups import create_group
from checkin.importer import import_file
from checkin.notices import SMS_PART, outcome, sms_parts, write_notices
from checkin.review import approve, reject
from checkin.selection import confirm, select
from checkin.storage import memory_db, open_db
from tests.conftest import EVENT_DATE, person_row, write_csv
from tests.helpers import FONT

OFFICE = "office"


def event_db() -> Database:
    db = memory_db()
    create_event(
        db,
        Event(
            title="经开区开放日",
            date=EVENT_DATE,
            starts="09:00",
            arrive_by="08:50",
            capacity=2,
            min_citizen_share=0,
            review=True,
            organizer="示范经开区",
            meeting_point="大厦三楼",
            reply_email="office@example.gov.cn",
        ),
    )
    if "email" not in db["people"].columns_dict:  # the sign-up form's e-mail (issue 16's column)
        db.execute("ALTER TABLE people ADD COLUMN email TEXT")
    return db


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_each_outcome_is_told_once_with_the_right_attachments(tmp_path: Path) -> None:
    db = event_db()
    rows = [person_row(i, at=f"2026-11-2{i} 09:00", phone=f"1391234567{i}") for i in range(1, 6)]
    import_file(db, write_csv(tmp_path / "s.csv", rows))
    db.execute("UPDATE people SET email = 'zhang001@example.com' WHERE number = 'A001'")
    create_group(
        db, "示范公司", "王经理", contact_email="hr@example.cn", members=["A002"], documents_received=True
    )
    approve(db, ["A001", "A002", "A003", "A004"], operator=OFFICE, residence="户籍在本区")
    reject(db, ["A005"], reason="not_local", operator=OFFICE)
    out = tmp_path / "通知"

    # 1. review outcomes: four approved, one rejected with its reason
    run = write_notices(db, out)
    assert sorted((n.number, n.kind) for n in run.notices) == [
        ("A001", "approved"), ("A002", "approved"), ("A003", "approved"), ("A004", "approved"),
        ("A005", "rejected"),
    ]  # fmt: skip
    first = parse(out / "A001-审核通过.eml")
    assert first["To"] == "zhang001@example.com"
    assert first["From"] == "office@example.gov.cn"
    assert first["Subject"] == "【经开区开放日】报名审核通过"
    assert "张001您好" in first.get_content()
    assert parse(out / "A002-审核通过.eml")["To"] == "hr@example.cn"  # the group's contact
    assert parse(out / "A003-审核通过.eml")["To"] is None  # no address: printed or phoned
    rejected = parse(out / "A005-审核未通过.eml")
    assert "原因：未在本地居住、工作或学习" in rejected.get_content()
    assert list(rejected.iter_attachments()) == []

    # 2. nothing new: nothing written
    before = files(out)
    again = write_notices(db, out)
    assert again.notices == [] and again.sms_csv is None and files(out) == before

    # 3. selection: two invited with invitation PDF and QR, two on the waiting list
    select(db)
    run = write_notices(db, out, font=FONT)
    assert sorted((n.number, n.kind) for n in run.notices) == [
        ("A001", "invited"), ("A002", "invited"), ("A003", "waiting"), ("A004", "waiting"),
    ]  # fmt: skip
    invited = parse(out / "A001-邀请.eml")
    assert invited["Subject"] == "【经开区开放日】邀请函（编号 A001）"
    parts = {(a.get_filename(), a.get_content_type()) for a in invited.iter_attachments()}
    assert parts == {("邀请函-A001.pdf", "application/pdf"), ("A001.png", "image/png")}
    pdf = next(a for a in invited.iter_attachments() if a.get_content_type() == "application/pdf")
    assert pdf.get_content().startswith(b"%PDF")
    body = invited.get_body(preferencelist=("plain",))
    assert body is not None and "请于 08:50 前到达" in body.get_content()
    assert "第 1 位" in parse(out / "A003-候补.eml").get_content()
    assert list(parse(out / "A003-候补.eml").iter_attachments()) == []
    # the second batch's SMS list does not replace the first
    assert run.sms_csv is not None and run.sms_csv.name == "sms-2.csv"
    with run.sms_csv.open(encoding="utf-8-sig", newline="") as fh:
        sms = list(csv.reader(fh))
    assert sms[0] == ["编号", "姓名", "手机号", "通知类型", "短信内容", "条数"]
    assert sms[1][:4] == ["A001", "张001", "13912345671", "邀请"]  # the full number, for the SMS platform
    assert sms[1][4].startswith("【示范经开区】张001您好，诚邀您参加经开区开放日")
    assert all(len(r[4]) <= SMS_PART and r[5] == "1" for r in sms[1:])

    # 4. a decline moves the waiting list up: only the one moved up is told
    assert confirm(db, "A001", "declined").moved_up == "A003"
    run = write_notices(db, out, font=FONT)
    assert [(n.number, n.kind) for n in run.notices] == [("A003", "moved_up")]
    moved = parse(out / "A003-候补递补.eml")
    moved_body = moved.get_body(preferencelist=("plain",))
    assert moved_body is not None and "已从候补名单递补" in moved_body.get_content()
    assert {a.get_filename() for a in moved.iter_attachments()} == {"邀请函-A003.pdf", "A003.png"}

    # 5. the list is final: the rest of the waiting list is told they are no longer needed
    run = write_notices(db, out, close_waiting=True)
    assert [(n.number, n.kind) for n in run.notices] == [("A004", "not_needed")]
    assert write_notices(db, out, close_waiting=True).notices == []
    recorded = db.execute("SELECT COUNT(*) FROM notices").fetchone()[0]
    assert recorded == 5 + 4 + 1 + 1


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_notice_files_are_owner_only(tmp_path: Path) -> None:
    db = event_db()
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1)]))
    reject(db, ["A001"], reason="incomplete", operator=OFFICE)
    run = write_notices(db, tmp_path / "out")
    assert run.sms_csv is not None
    for path in (run.sms_csv, run.notices[0].eml):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_sms_parts() -> None:
    assert [sms_parts("字" * n) for n in (1, 70, 71, 134, 135)] == [1, 1, 2, 2, 3]


def test_outcome_rules() -> None:
    base = {"status": "signed_up", "review": "approved", "walk_in": 0}
    assert outcome(base, None, False) == "approved"
    assert outcome(base, "approved", False) is None
    assert outcome({**base, "status": "invited"}, "waiting", False) == "moved_up"
    assert outcome({**base, "status": "invited"}, "moved_up", False) is None
    assert outcome({**base, "status": "waiting"}, "waiting", True) == "not_needed"
    assert outcome({**base, "status": "declined"}, "invited", False) is None
    assert outcome({**base, "status": "invited", "walk_in": 1}, None, False) is None
    # dropped from the lists after being invited (e.g. rejected later): told so
    assert outcome({**base, "review": "rejected"}, "invited", False) == "rejected"
    assert outcome({**base, "review": None}, "invited", False) == "not_needed"
    assert outcome({**base, "review": "pending"}, None, False) is None


def test_sms_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    db = event_db()
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1, name="=HYPERLINK(1)")]))
    reject(db, ["A001"], reason="incomplete", operator=OFFICE)
    run = write_notices(db, tmp_path / "out")
    assert run.sms_csv is not None
    rows = list(csv.reader(io.StringIO(run.sms_csv.read_text(encoding="utf-8-sig"))))
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_notices_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=2, review=True))
        import_file(db, write_csv(tmp_path / "s.csv", [person_row(1), person_row(2)]))
    assert main(["review", "reject", "A001", "A002", "--reason", "age", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["notices", "--db", str(path), "--out", str(tmp_path / "n"), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert [(w["number"], w["kind"], w["phone"]) for w in written["written"]] == [
        ("A001", "rejected", "138****5678"), ("A002", "rejected", "138****5678"),
    ]  # fmt: skip
    assert written["sms_csv"].endswith("sms.csv")
    assert main(["--lang", "zh", "notices", "--db", str(path), "--out", str(tmp_path / "n")]) == 0
    assert "没有需要新发的通知" in capsys.readouterr().out


def test_a_bad_reply_address_is_refused_at_init() -> None:
    from checkin.errors import CheckinError

    with pytest.raises(CheckinError) as info:
        create_event(memory_db(), Event(title="t", date=EVENT_DATE, reply_email="office\r\nBcc: x@y.z"))
    assert info.value.key == "notices.bad_reply_email"


def test_a_title_with_a_line_break_still_makes_a_one_line_subject(tmp_path: Path) -> None:
    # a new event file refuses such a title; one made by an older version may still hold it
    db = memory_db()
    create_event(db, Event(title="开放日", date=EVENT_DATE, review=True))
    db.execute("UPDATE event SET title = ?", ["开放日\r\nBcc: someone@example.com"])
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1)]))
    reject(db, ["A001"], reason="incomplete", operator=OFFICE)
    run = write_notices(db, tmp_path / "out")
    message = parse(run.notices[0].eml)
    assert message["Bcc"] is None
    assert message["Subject"] == "【开放日 Bcc: someone@example.com】报名审核结果"


@pytest.mark.parametrize(
    "address",
    [
        "x(y@z.com",  # a comment: the draft went To: x
        "a:b@c.dd",  # group syntax: To: "a: b@c.dd;"
        "foo@bar..com",  # empty domain label: To: <>
        "=?utf-8?q?evil?=@x.com",  # an encoded word: To: evil@x.com
        "a@b.c\r\nBcc: evil@x.com",
        "张三@例子.中国",  # not an address a mail header can carry as typed
    ],
)
def test_a_garbage_address_is_nobody_in_the_draft_and_refused_where_it_comes_in(
    tmp_path: Path, address: str
) -> None:
    from checkin.errors import CheckinError
    from checkin.importer import parse_email

    db = event_db()
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1, at="2026-11-21 09:00")]))
    db.execute("UPDATE people SET email = ? WHERE number = 'A001'", [address])
    approve(db, ["A001"], operator=OFFICE, residence="户籍在本区")
    run = write_notices(db, tmp_path / "out")
    message = parse(run.notices[0].eml)
    assert message["To"] is None and run.notices[0].to is None
    with pytest.raises(CheckinError):
        parse_email(address)
    with pytest.raises(CheckinError):
        create_group(db, "示范公司", "王经理", contact_email=address)
    with pytest.raises(CheckinError):
        Event(title="t", date=EVENT_DATE, reply_email=address).validate()


@pytest.mark.parametrize(
    "address", ["zhang.san+open@example.com.cn", "12345678@qq.com", "Li_Si@sub.example.org"]
)
def test_ordinary_addresses_still_get_their_draft(tmp_path: Path, address: str) -> None:
    from checkin.importer import parse_email

    db = event_db()
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1, at="2026-11-21 09:00")]))
    db.execute("UPDATE people SET email = ? WHERE number = 'A001'", [address])
    approve(db, ["A001"], operator=OFFICE, residence="户籍在本区")
    run = write_notices(db, tmp_path / "out")
    assert parse(run.notices[0].eml)["To"] == address
    assert parse_email(address) == address


def _five_invited(tmp_path: Path) -> Database:
    db = event_db()
    db.execute("UPDATE event SET capacity = 5")
    rows = [person_row(i, at=f"2026-11-2{i} 09:00", phone=f"1391234567{i}") for i in range(1, 6)]
    import_file(db, write_csv(tmp_path / "s.csv", rows))
    approve(db, [f"A00{i}" for i in range(1, 6)], operator=OFFICE, residence="户籍在本区")
    select(db)
    return db


def test_a_run_stopped_half_way_and_run_again_writes_each_draft_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The office's laptop stopped while the third invitation was being made (power, Ctrl+C):
    # two drafts were on disk, nothing recorded. The next run wrote A001-邀请-2.eml beside
    # A001-邀请.eml — two drafts for one person, and staff sent both.
    import checkin.invitations

    db = _five_invited(tmp_path)
    out = tmp_path / "通知"
    made = checkin.invitations.invitation_attachments
    calls: list[str] = []

    def stop_at_the_third(*args: object, **kwargs: object) -> tuple[bytes, bytes]:
        calls.append("x")
        if len(calls) == 3:
            raise KeyboardInterrupt
        return made(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checkin.invitations, "invitation_attachments", stop_at_the_third)
    with pytest.raises(KeyboardInterrupt):
        write_notices(db, out, font=FONT)
    # nothing a clerk could send: the drafts take their names only when the run is recorded
    assert files(out) == [".A001-邀请.eml.part", ".A002-邀请.eml.part"]
    assert db.execute("SELECT COUNT(*) FROM notices").fetchone()[0] == 0
    monkeypatch.setattr(checkin.invitations, "invitation_attachments", made)

    run = write_notices(db, out, font=FONT)
    assert [n.eml.name for n in run.notices] == [f"A00{i}-邀请.eml" for i in range(1, 6)]
    assert files(out) == [f"A00{i}-邀请.eml" for i in range(1, 6)] + ["sms.csv"]
    for i in range(1, 6):
        draft = parse(out / f"A00{i}-邀请.eml")
        assert draft["Subject"] == f"【经开区开放日】邀请函（编号 A00{i}）"
        assert {a.get_filename() for a in draft.iter_attachments()} == {f"邀请函-A00{i}.pdf", f"A00{i}.png"}
    assert db.execute("SELECT COUNT(*) FROM notices").fetchone()[0] == 5
    assert write_notices(db, out, font=FONT).notices == []


def test_a_run_stopped_before_recording_replaces_its_sms_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stopped after every file was written but before the notices were recorded: the rerun
    # writes the same drafts and the same sms.csv again, in place — not sms-2.csv beside it.
    import checkin.notices

    db = _five_invited(tmp_path)
    db.execute("UPDATE people SET status = 'signed_up', queue_pos = NULL")
    reject(db, ["A001", "A002"], reason="incomplete", operator=OFFICE)
    out = tmp_path / "out"

    def full_disk(_db: Database) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkin.notices, "write_transaction", full_disk)
    with pytest.raises(OSError):
        write_notices(db, out)
    assert ".sms.csv.part" in files(out) and "sms.csv" not in files(out)
    monkeypatch.undo()

    run = write_notices(db, out)
    assert run.sms_csv is not None and run.sms_csv.name == "sms.csv"
    assert files(out) == [
        "A001-审核未通过.eml", "A002-审核未通过.eml", "A003-审核通过.eml", "A004-审核通过.eml",
        "A005-审核通过.eml", "sms.csv",
    ]  # fmt: skip
    with run.sms_csv.open(encoding="utf-8-sig", newline="") as fh:
        assert [r[0] for r in csv.reader(fh)][1:] == ["A001", "A002", "A003", "A004", "A005"]
    # a later batch never touches a recorded one: the next SMS list is sms-2.csv
    reject(db, ["A003"], reason="incomplete", operator=OFFICE)
    later = write_notices(db, out)
    assert later.sms_csv is not None and later.sms_csv.name == "sms-2.csv"
    assert [n.eml.name for n in later.notices] == ["A003-审核未通过.eml"]


def test_the_no_show_list_is_a_call_list_with_full_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 未到.csv is what staff phone the no-shows from: it masked the numbers (138****5678), so
    # nobody could be called from it. The attendance sheet stays masked.
    path = tmp_path / "e.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=2, min_citizen_share=0))
        rows = [person_row(i, at=f"2026-11-2{i} 09:00", phone=f"1391234567{i}") for i in (1, 2)]
        import_file(db, write_csv(tmp_path / "s.csv", rows))
        select(db)
    capsys.readouterr()
    assert (
        main(["--lang", "zh", "export", "no-shows", "--db", str(path), "--out", str(tmp_path / "未到.csv")])
        == 0
    )
    assert "含完整手机号" in capsys.readouterr().out
    body = list(csv.reader(io.StringIO((tmp_path / "未到.csv").read_text(encoding="utf-8-sig"))))
    phone = body[0].index("联系电话")
    assert [r[phone] for r in body[1:]] == ["13912345671", "13912345672"]
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "未到.csv").stat().st_mode) == 0o600
    assert main(["export", "attendance", "--db", str(path), "--out", str(tmp_path / "签到表.csv")]) == 0
    sheet = (tmp_path / "签到表.csv").read_text(encoding="utf-8-sig")
    assert "139****5671" in sheet and "13912345671" not in sheet


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_link_left_in_the_folder_under_a_drafts_name_is_replaced_not_followed(tmp_path: Path) -> None:
    # a file of the draft's name that no notice records is replaced; if it is a link, the link
    # goes, and what it points to is left alone
    db = event_db()
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1)]))
    reject(db, ["A001"], reason="incomplete", operator=OFFICE)
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "someone-elses-file.txt"
    target.write_text("keep me", encoding="utf-8")
    (out / "A001-审核未通过.eml").symlink_to(target)
    (out / "sms.csv").symlink_to(target)
    run = write_notices(db, out)
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not (out / "A001-审核未通过.eml").is_symlink() and not (out / "sms.csv").is_symlink()
    assert parse(run.notices[0].eml)["Subject"] == "【经开区开放日】报名审核结果"
    assert stat.S_IMODE((out / "sms.csv").stat().st_mode) == 0o600


def test_an_invitation_text_too_long_for_one_sms_leaves_the_place_to_the_invitation(tmp_path: Path) -> None:
    # The demo's event (a quoted title, a meeting point with its own note) made an 84-character
    # invitation text: two SMS per person. Where a shorter text fits in one, it is used.
    db = event_db()
    db.execute(
        "UPDATE event SET title = ?, organizer = ?, meeting_point = ?, starts = '14:00'",
        ["“走进税务 感受服务”政府开放日", "示范县税务局", "政务服务中心东门（13:50前集合上车）"],
    )
    rows = [person_row(1, name="罗华", at="2026-11-21 09:00", phone="13912345671")]
    import_file(db, write_csv(tmp_path / "s.csv", rows))
    approve(db, ["A001"], operator=OFFICE, residence="户籍在本区")
    select(db)
    run = write_notices(db, tmp_path / "out", font=FONT)
    assert run.sms_csv is not None
    with run.sms_csv.open(encoding="utf-8-sig", newline="") as fh:
        (sms,) = list(csv.reader(fh))[1:]
    assert (
        sms[4]
        == "【示范县税务局】罗华您好，诚邀您参加“走进税务 感受服务”政府开放日（12月18日 14:00），请带身份证，详见邀请函，编号A001。"
    )
    assert len(sms[4]) <= SMS_PART and sms[5] == "1"
    # the e-mail keeps the place
    body = parse(run.notices[0].eml).get_body(preferencelist=("plain",))
    assert body is not None and "政务服务中心东门（13:50前集合上车）" in body.get_content()


def test_an_sms_list_from_before_the_lists_were_recorded_is_never_replaced(tmp_path: Path) -> None:
    # notices recorded by the previous version do not say which SMS list they went into: an
    # sms.csv already in the folder may be theirs, not yet sent, and is kept
    db = event_db()
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1), person_row(2)]))
    reject(db, ["A001"], reason="incomplete", operator=OFFICE)
    db.execute(
        "INSERT INTO notices (number, kind, eml, sms, written_at) VALUES ('A001', 'rejected', "
        "'A001-rejected.eml', 1, '2026-11-20T10:00:00')"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "sms.csv").write_text("earlier batch", encoding="utf-8")
    reject(db, ["A002"], reason="incomplete", operator=OFFICE)
    run = write_notices(db, out)
    assert run.sms_csv is not None and run.sms_csv.name == "sms-2.csv"
    assert (out / "sms.csv").read_text(encoding="utf-8") == "earlier batch"
