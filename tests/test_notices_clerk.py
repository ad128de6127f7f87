"""A clerk's week before the event (adversarial audit of issue 17): review done in pieces,
`select` and `notices` run after each piece, the waiting list closed and notices run again.
Whoever was told something is never told the opposite by a later run that nothing changed for."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin import notices
from checkin.errors import CheckinError
from checkin.event import Event, create_event
from checkin.importer import import_file
from checkin.keys import Verifier, issue_token
from checkin.notices import write_notices
from checkin.review import approve, reject
from checkin.selection import confirm, select
from checkin.storage import memory_db, open_db
from tests.helpers import EVENT_DATE, FONT, event_with_sign_ups, import_sign_ups, person_row, write_csv

OFFICE = "office"


def plan_db(capacity: int = 4, quotas: dict[str, int] | None = None) -> Database:
    db = memory_db()
    create_event(
        db,
        Event(
            title="科技局政府开放日",
            date=EVENT_DATE,
            starts="09:00",
            capacity=capacity,
            min_citizen_share=0,
            review=True,
            organizer="示范县科学技术局",
            meeting_point="一楼大厅",
            reply_email="kjj@example.gov.cn",
            quotas=quotas or {},
        ),
    )
    if "email" not in db["people"].columns_dict:  # the sign-up form's e-mail (issue 16's column)
        db.execute("ALTER TABLE people ADD COLUMN email TEXT")
    return db


def statuses(db: Database) -> dict[str, str]:
    return {r[0]: r[1] for r in db.execute("SELECT number, status FROM people")}


def test_an_invitation_sent_is_not_taken_back_when_select_runs_again(tmp_path: Path) -> None:
    # the plan: 4 places, "群众代表+科技特派员 3 名"; the quota's places go to the next in sign-up
    # order while it is not filled (unfilled = pool). Half the sheet is reviewed: the two
    # enterprise representatives take the places the quota has not filled yet, are invited, and
    # the clerk sends the invitations (with their QR codes). Then the rest is approved.
    db = plan_db(quotas={"citizen+commissioner": 3})
    rows = [person_row(1, category="企业代表", at="2026-11-20 09:00")]
    rows += [person_row(2, category="企业代表", at="2026-11-20 09:01")]
    rows += [person_row(i, at=f"2026-11-20 09:0{i}") for i in range(3, 7)]
    import_file(db, write_csv(tmp_path / "报名表.csv", rows))
    approve(db, ["A001", "A002", "A003"], operator=OFFICE, residence="身份证住址在本县")
    select(db)
    assert statuses(db)["A001"] == statuses(db)["A002"] == "invited"
    out = tmp_path / "通知"
    first = write_notices(db, out, font=FONT)
    assert {(n.number, n.kind) for n in first.notices} >= {("A001", "invited"), ("A002", "invited")}

    approve(db, ["A004", "A005", "A006"], operator=OFFICE, residence="身份证住址在本县")
    select(db)
    # both keep the place they were told they have; the quota gets what is left
    assert statuses(db)["A001"] == statuses(db)["A002"] == "invited"
    assert sum(s == "invited" for s in statuses(db).values()) == 4
    second = write_notices(db, out, font=FONT)
    told = {n.number: n.kind for n in second.notices}
    assert "A001" not in told and "A002" not in told  # never "候补" after "邀请函"
    assert told == {"A004": "invited", "A005": "waiting", "A006": "waiting"}
    for number in ("A001", "A002"):
        draft = email.message_from_bytes(
            (out / f"{number}-邀请.eml").read_bytes(), policy=email.policy.default
        )
        assert draft["To"] is None or "@" in str(draft["To"])
    # and the door still takes them: their invitation is not revoked
    revoked = db.execute(
        "SELECT COUNT(*) FROM invitations i JOIN people p ON p.seq = i.seq "
        "WHERE p.number IN ('A001', 'A002') AND i.revoked_at IS NOT NULL"
    ).fetchone()[0]
    assert revoked == 0


def test_the_waiting_list_told_it_is_closed_is_not_told_it_is_waiting_again(tmp_path: Path) -> None:
    db = plan_db(capacity=1)
    import_sign_ups(db, tmp_path, 3)
    approve(db, ["A001", "A002", "A003"], operator=OFFICE, residence="身份证住址在本县")
    select(db)
    out = tmp_path / "通知"
    write_notices(db, out, font=FONT)
    closed = write_notices(db, out, close_waiting=True)
    assert {n.number: n.kind for n in closed.notices} == {"A002": "not_needed", "A003": "not_needed"}
    # the clerk runs notices again the next morning, without --close-waiting: nothing is new
    again = write_notices(db, out)
    assert again.notices == []
    # select run again changes nothing for them either
    select(db)
    assert write_notices(db, out).notices == []


def _code(path: Path) -> str:
    draft = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(draft, EmailMessage)
    body = draft.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    return text.split("核验码", 1)[1].split("。", 1)[0].strip()


def test_rejected_by_mistake_and_approved_again_gets_a_new_invitation_that_the_door_takes(
    tmp_path: Path,
) -> None:
    # the reviewer rejects A001 (a wrong number typed) after the invitation went out: it is
    # revoked at once. Approved again and selected again, A001 must be sent an invitation the
    # door takes — the one in their inbox is refused as revoked.
    db = plan_db(capacity=2)
    import_sign_ups(db, tmp_path, 2)
    approve(db, ["A001", "A002"], operator=OFFICE, residence="身份证住址在本县")
    select(db)
    out = tmp_path / "通知"
    write_notices(db, out, font=FONT)
    first = Verifier(db).verify(issue_token(db, "A001").token)
    assert first.ok

    reject(db, ["A001"], reason="not_local", operator=OFFICE)
    approve(db, ["A001"], operator=OFFICE, residence="身份证住址在本县")
    select(db)
    assert statuses(db)["A001"] == "invited"
    run = write_notices(db, out, font=FONT)
    assert [(n.number, n.kind) for n in run.notices] == [("A001", "invited")]
    current = issue_token(db, "A001")
    assert Verifier(db).verify(current.token).ok  # the door takes the new one …
    assert _code(run.notices[0].eml) != _code(out / "A001-邀请.eml")  # … which the new draft carries
    assert write_notices(db, out, font=FONT).notices == []  # and once only


def test_two_runs_at_once_tell_each_person_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # two clerks (or two windows) run notices on the one shared event file at the same moment:
    # each wrote every draft and an SMS list of everyone, and both were recorded — everyone was
    # told twice. The run that records second now records nothing and removes its own files.
    path = event_with_sign_ups(tmp_path, 3, capacity=2, phones=True)
    with open_db(path) as db:
        select(db)
    real = notices._write_private
    other: list[notices.NoticeRun] = []

    def meanwhile(target: Path, data: bytes) -> None:
        if not other:  # the second clerk's run happens while this one writes its first file
            other.append(notices.NoticeRun())
            with open_db(path) as second:
                other[0] = notices.write_notices(second, tmp_path / "小李", font=FONT)
        real(target, data)

    monkeypatch.setattr(notices, "_write_private", meanwhile)
    with open_db(path) as db, pytest.raises(CheckinError) as raced:
        notices.write_notices(db, tmp_path / "小王", font=FONT)
    assert raced.value.key == "notices.raced"
    assert len(other[0].notices) == 3
    with open_db(path) as db:
        recorded = db.execute("SELECT number, COUNT(*) FROM notices GROUP BY number").fetchall()
    assert sorted(recorded) == [("A001", 1), ("A002", 1), ("A003", 1)]
    assert list((tmp_path / "小王").iterdir()) == []  # nothing of the run not recorded is left
    assert len(list((tmp_path / "小李").glob("*.eml"))) == 3


def test_draft_files_are_named_in_words(tmp_path: Path) -> None:
    # the clerk opens the drafts from the folder: A006-moved_up.eml and A010-not_needed.eml
    # showed the program's codes; the names say what each notice is, as sms.csv's column does
    db = plan_db(capacity=1)
    import_sign_ups(db, tmp_path, 4)
    approve(db, ["A001", "A002", "A003"], operator=OFFICE, residence="身份证住址在本县")
    reject(db, ["A004"], reason="not_local", operator=OFFICE)
    out = tmp_path / "通知"
    write_notices(db, out, font=FONT)
    select(db)
    write_notices(db, out, font=FONT)
    confirm(db, "A001", "declined")
    write_notices(db, out, font=FONT, close_waiting=True)
    names = sorted(p.name for p in out.glob("*.eml"))
    assert names == [
        "A001-审核通过.eml", "A001-邀请.eml", "A002-候补.eml", "A002-候补递补.eml", "A002-审核通过.eml",
        "A003-不再需要.eml", "A003-候补.eml", "A003-审核通过.eml", "A004-审核未通过.eml",
    ]  # fmt: skip
    assert all(re.fullmatch(r"A\d{3}-[^\x00-\x7f]+\.eml", name) for name in names)


def test_drafts_deleted_before_sending_are_written_again_for_those_people(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the clerk deleted half the drafts before sending them: a plain run has nothing new (they
    # are recorded as told), so those people would never hear; --again writes their notice anew
    from checkin.cli import main

    path = event_with_sign_ups(tmp_path, 4, capacity=2, phones=True)
    with open_db(path) as db:
        select(db)
    out = tmp_path / "通知"
    db_arg = ["--db", str(path), "--out", str(out), "--font", str(FONT)]
    assert main(["--lang", "zh", "notices", *db_arg]) == 0
    (out / "A001-邀请.eml").unlink()
    (out / "A003-候补.eml").unlink()
    capsys.readouterr()
    assert main(["--lang", "zh", "notices", *db_arg]) == 0
    assert "没有需要新发的通知" in capsys.readouterr().out
    assert main(["--lang", "zh", "notices", *db_arg, "--again", "a001", "A003"]) == 0
    said = capsys.readouterr().out
    assert "A001" in said and "A003" in said and "A002" not in said
    assert (out / "A001-邀请.eml").exists() and (out / "A003-候补.eml").exists()
    with (out / "sms-2.csv").open(encoding="utf-8-sig") as fh:
        assert [line.split(",")[0] for line in fh][1:] == ["A001", "A003"]
    assert main(["--lang", "zh", "notices", *db_arg]) == 0
    assert "没有需要新发的通知" in capsys.readouterr().out  # nothing told twice by a plain run after
    assert main(["--lang", "zh", "notices", *db_arg, "--again", "A009"]) == 2
    assert "A009" in capsys.readouterr().err
    confirm_ = main(["--lang", "zh", "confirm", "A002", "--status", "不参加", "--db", str(path)])
    assert confirm_ == 0
    capsys.readouterr()
    # A003 moved up: --again writes what is new for them (the invitation), not the old "waiting"
    assert main(["--lang", "zh", "notices", *db_arg, "--again", "A003", "A002"]) == 2
    assert "A002" in capsys.readouterr().err  # declined themselves: nothing to write again
    assert main(["--lang", "zh", "notices", *db_arg, "--again", "A003"]) == 0
    assert "候补递补" in capsys.readouterr().out


def test_places_cut_after_the_invitations_went_out_are_said_so(tmp_path: Path) -> None:
    # capacity cut from 3 to 2 by hand after three invitations were sent: nobody's invitation
    # is taken back, and select says why capacity is not kept — not "direct invitations"
    from checkin.i18n import tr
    from tests.helpers import set_event

    db = plan_db(capacity=3)
    import_sign_ups(db, tmp_path, 3)
    approve(db, ["A001", "A002", "A003"], operator=OFFICE, residence="身份证住址在本县")
    select(db)
    write_notices(db, tmp_path / "通知", font=FONT)
    set_event(db, capacity=2)
    result = select(db)
    assert sum(s == "invited" for s in statuses(db).values()) == 3
    over = [
        tr(key, lang="zh", **params)
        for key, params in result.warnings
        if key == "select.direct_over_capacity"
    ]
    assert over and "已发出邀请函" in over[0], result.warnings


def test_text_messages_without_the_organisers_signature_are_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an event file without organizer: sms.csv's messages start with the name, no 【单位】 —
    # SMS platforms in China refuse unsigned messages; the run said nothing about it
    from checkin.cli import main

    path = event_with_sign_ups(tmp_path, 1, capacity=2, timed=False, phones=True)
    with open_db(path) as db:
        select(db)
    out = ["--db", str(path), "--out", str(tmp_path / "通知"), "--font", str(FONT)]
    assert main(["--lang", "zh", "notices", *out]) == 0
    assert "没有【单位名称】签名" in capsys.readouterr().err
    assert main(["--lang", "zh", "event", "set", "--db", str(path), "--organizer", "示范县科学技术局"]) == 0
    assert main(["--lang", "zh", "notices", *out, "--again", "A001"]) == 0
    assert "签名" not in capsys.readouterr().err
    with (tmp_path / "通知" / "sms-2.csv").open(encoding="utf-8-sig") as fh:
        assert "【示范县科学技术局】张001您好" in fh.read()


def test_a_mistyped_group_is_said_not_listed_as_empty(tmp_path: Path) -> None:
    # review list --group G009 when there is no G009: it listed nobody and the counts, as if
    # the group had nobody pending
    from checkin.review import list_applications

    db = plan_db()
    import_sign_ups(db, tmp_path, 1, timed=False)
    with pytest.raises(CheckinError) as refused:
        list_applications(db, group="g009")
    assert refused.value.key == "groups.unknown" and "G009" in refused.value.message()


def test_rejecting_someone_invited_says_the_invitation_is_void_and_who_moved_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the reviewer rejects an invited guest: their invitation is revoked and the first on the
    # waiting list moves up — the command said only 未通过审核 1 人, and the clerk did not know
    # that two people had to be told
    from checkin.cli import main

    path = event_with_sign_ups(tmp_path, 2, capacity=1, review=True)
    with open_db(path) as db:
        approve(db, ["A001", "A002"], operator=OFFICE, residence="身份证住址在本县")
        select(db)
    capsys.readouterr()
    assert main(["--lang", "zh", "review", "reject", "A001", "--reason", "材料不全", "--db", str(path)]) == 0
    said = capsys.readouterr().out
    assert "A001 的邀请函已作废" in said and "候补 A002 递补" in said, said
    assert main(["--lang", "en", "review", "reject", "A002", "--reason", "材料不全", "--db", str(path)]) == 0
    said = capsys.readouterr().out
    assert "A002's invitation is void (nobody on the waiting list can move up)" in said, said


def test_a_batch_approval_that_reverses_a_rejection_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the reviewer rejects A002, then approves "A001 A002 A003" from the list in front of them:
    # the rejection was reversed without a word
    from checkin.cli import main

    path = event_with_sign_ups(tmp_path, 3, capacity=3, review=True, timed=False)
    base = ["--db", str(path)]
    assert main(["--lang", "zh", "review", "reject", "A002", "--reason", "材料不全", *base]) == 0
    capsys.readouterr()
    assert (
        main(["--lang", "zh", "review", "approve", "A001", "A002", "A003", "--residence", "身份证", *base])
        == 0
    )
    said = capsys.readouterr().out
    assert "其中 A002 原为未通过审核，现已改为通过" in said, said
