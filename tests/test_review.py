"""Review (审核) before selection: pending sign-ups, due dates on the working-day calendar,
automatic checks, the residence tick, rejected people never selected, group applications."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.cli import main
from checkin.errors import CheckinError
from checkin.event import Event, create_event
from checkin.groups import create_group, list_groups, set_documents
from checkin.importer import import_file
from checkin.review import approve, list_applications, reject, review_counts, run_auto_checks, tick_residence
from checkin.selection import select
from checkin.storage import memory_db, open_db
from tests.conftest import EVENT_DATE, person_row, valid_id, write_csv

OFFICE = "office"


def review_db(**settings: object) -> Database:
    event = Event(title="经开区开放日", date=EVENT_DATE, capacity=6, review=True)
    for name, value in settings.items():
        setattr(event, name, value)
    db = memory_db()
    create_event(db, event)
    return db


def sign_up(db: Database, tmp_path: Path, rows: list[list[str]]) -> None:
    result = import_file(db, write_csv(tmp_path / f"s{len(rows)}.csv", rows))
    assert result.rejected == []


def test_sign_ups_enter_as_pending_and_direct_invitations_skip_review(db: Database, tmp_path: Path) -> None:
    db = review_db()
    sign_up(
        db,
        tmp_path,
        [person_row(1, at="2026-11-27 10:00"), person_row(2, category="人大代表", invitation="定向邀请")],
    )
    states = dict(db.execute("SELECT number, review FROM people").fetchall())
    assert states == {"A001": "pending", "A002": None}
    result = select(db)
    assert result.invited == ["A002"] and result.waiting == []


def test_review_off_changes_nothing(db: Database, tmp_path: Path) -> None:
    sign_up(db, tmp_path, [person_row(1)])
    assert db.execute("SELECT review FROM people").fetchone()[0] is None
    assert select(db).invited == ["A001"]


@pytest.mark.parametrize(
    ("arrived", "due", "why"),
    [
        ("2026-11-25 09:00", "2026-11-27", "Wednesday + 2 working days = Friday"),
        ("2026-11-27 17:30", "2026-12-01", "Friday: the weekend does not count → Tuesday"),
        ("2026-11-28 11:00", "2026-12-01", "arrived on a Saturday: Monday is day 1, Tuesday day 2"),
        ("2026-09-30 15:00", "2026-10-09", "National Day 10-01…10-07 is a holiday → Thu 8th, Fri 9th"),
        ("2026-10-09 08:00", "2026-10-12", "Saturday 10-10 is a 调休 working day → Sat 10th, Mon 12th"),
    ],
)
def test_due_dates_follow_the_working_day_calendar(tmp_path: Path, arrived: str, due: str, why: str) -> None:
    db = review_db()
    sign_up(db, tmp_path, [person_row(1, at=arrived)])
    (app,) = list_applications(db, today=dt.date.fromisoformat(due))
    assert app.due == dt.date.fromisoformat(due), why
    assert not app.overdue  # due today is not overdue yet
    (late,) = list_applications(db, today=dt.date.fromisoformat(due) + dt.timedelta(days=1))
    assert late.overdue


def test_working_days_setting_and_overdue_filter(tmp_path: Path) -> None:
    db = review_db(review_working_days=5)
    sign_up(db, tmp_path, [person_row(1, at="2026-11-27 10:00"), person_row(2, at="2026-12-02 10:00")])
    today = dt.date(2026, 12, 7)  # A001 due Fri 12-04 (5 working days), A002 due Wed 12-09
    apps = list_applications(db, today=today)
    assert [(a.number, a.due.isoformat(), a.overdue) for a in apps] == [
        ("A001", "2026-12-04", True), ("A002", "2026-12-09", False),
    ]  # fmt: skip
    assert [a.number for a in list_applications(db, overdue_only=True, today=today)] == ["A001"]
    assert review_counts(db, today=today) == {"pending": 2, "approved": 0, "rejected": 0, "overdue": 1}
    approve(db, ["A001"], operator=OFFICE, residence="身份证住址在本区")
    assert list_applications(db, overdue_only=True, today=today) == []


def test_rejected_people_are_never_selected(tmp_path: Path) -> None:
    db = review_db()
    rows = [person_row(i, at=f"2026-11-2{i} 09:00") for i in range(1, 9)]
    sign_up(db, tmp_path, rows)
    # nothing approved yet: nobody is selected
    nobody = select(db)
    assert nobody.invited == [] and dict(nobody.warnings)["select.pending_review"] == {"count": 8}
    approve(
        db, ["A002", "A003", "A004", "A005", "A006", "A007", "A008"], operator=OFFICE, residence="户籍在本区"
    )
    reject(db, ["A001"], reason="not_local", operator=OFFICE)
    result = select(db)
    assert "A001" not in result.invited + result.waiting
    assert result.invited == ["A002", "A003", "A004", "A005", "A006", "A007"]
    assert result.waiting == ["A008"]
    # a later rejection of an invited person takes them off the list at the next selection
    reject(db, ["A003"], reason="报名信息与身份证不符", operator=OFFICE)
    result = select(db)
    assert "A003" not in result.invited + result.waiting and "A008" in result.invited
    row = db.execute("SELECT status, review, review_reason FROM people WHERE number = 'A001'").fetchone()
    assert row == ("signed_up", "rejected", "未在本地居住、工作或学习")
    # and the invitation it may have had is revoked
    assert db.execute("SELECT status FROM people WHERE number = 'A003'").fetchone()[0] == "signed_up"


def test_approval_needs_the_residence_tick_with_evidence(tmp_path: Path) -> None:
    db = review_db()
    sign_up(db, tmp_path, [person_row(1, at="2026-11-25 09:00")])
    with pytest.raises(CheckinError) as info:
        approve(db, ["A001"], operator=OFFICE)
    assert info.value.key == "review.residence_needed"
    with pytest.raises(CheckinError) as info:
        tick_residence(db, "A001", "   ", operator=OFFICE)
    assert info.value.key == "review.evidence_needed"
    tick_residence(db, "a001", "工作单位在经开区（工作证）", operator=OFFICE)
    assert approve(db, ["A001"], operator=OFFICE) == ["A001"]
    (app,) = list_applications(db, state="approved")
    assert app.residence_evidence == "工作单位在经开区（工作证）" and app.reviewed_by == OFFICE


def test_automatic_checks_reject_age_and_excluded_categories(tmp_path: Path) -> None:
    db = review_db(signup_excluded=["npc_deputy", "cppcc_member"])
    old = person_row(3)
    old[2] = valid_id(3, birth=dt.date(1950, 5, 1))
    sign_up(db, tmp_path, [person_row(1, category="人大代表"), person_row(2), old])
    # the district's 18–65 limit set after the sign-ups came in
    db.execute("UPDATE event SET max_age = 65")
    assert sorted(run_auto_checks(db)) == ["A001", "A003"]
    reasons = dict(
        db.execute("SELECT number, review_reason FROM people WHERE review = 'rejected'").fetchall()
    )
    assert reasons == {"A001": "人大代表、政协委员不通过社会报名参加", "A003": "年龄不在18–65周岁之间"}
    assert db.execute("SELECT reviewed_by FROM people WHERE number = 'A001'").fetchone()[0] == "auto"
    with pytest.raises(CheckinError) as info:
        approve(db, ["A001"], operator=OFFICE, residence="x")
    assert info.value.key == "review.fails_checks"
    assert [a.number for a in list_applications(db)] == ["A002"]


def test_group_application_reviewed_together_and_shown_in_selection(tmp_path: Path) -> None:
    db = review_db()
    sign_up(db, tmp_path, [person_row(i, at=f"2026-11-2{i} 09:00", category="企业代表") for i in range(1, 5)])
    group = create_group(
        db, "示范科技有限公司", "王经理", "13900001111", contact_email="hr@example.cn",
        documents="营业执照", members=["A002", "a003", "A004"],
    )  # fmt: skip
    assert group == "G001"
    with pytest.raises(CheckinError) as info:
        approve(db, ["G001"], operator=OFFICE, residence="单位在本区（营业执照）")
    assert info.value.key == "review.group_documents"
    set_documents(db, "g001", received=True, documents="营业执照、法人证明")
    # member by member first: A004 is rejected on their own, and the group decision leaves that
    reject(db, ["A004"], reason="incomplete", operator=OFFICE)
    assert approve(db, ["G001"], operator=OFFICE, residence="单位在本区（营业执照）") == ["A002", "A003"]
    with pytest.raises(CheckinError) as info:
        approve(db, ["G001"], operator=OFFICE, residence="x")
    assert info.value.key == "review.group_decided"
    (g,) = list_groups(db)
    assert (g.organization, g.documents_received, g.documents) == (
        "示范科技有限公司",
        True,
        "营业执照、法人证明",
    )
    assert [(m.number, m.review) for m in g.members] == [
        ("A002", "approved"),
        ("A003", "approved"),
        ("A004", "rejected"),
    ]
    assert [a.number for a in list_applications(db, state=None, group="G001")] == ["A002", "A003", "A004"]
    db.execute("UPDATE event SET min_citizen_share = '0'")
    result = select(db)
    assert result.invited == ["A002", "A003"]
    assert result.groups == {"G001": ("示范科技有限公司", ["A002", "A003"], [])}
    assert result.to_json()["groups"] == [
        {"group": "G001", "organization": "示范科技有限公司", "invited": ["A002", "A003"], "waiting": []}
    ]
    # a person belongs to one group only
    with pytest.raises(CheckinError) as info:
        create_group(db, "另一单位", "李", members=["A002"])
    assert info.value.key == "groups.member_elsewhere"


def test_review_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=6, review=True))
        sign_up(db, tmp_path, [person_row(1, at="2026-11-27 10:00"), person_row(2, at="2026-11-27 11:00")])
    assert main(["review", "list", "--db", str(path), "--today", "2026-12-02", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(a["number"], a["due"], a["overdue"]) for a in listed["applications"]] == [
        ("A001", "2026-12-01", True), ("A002", "2026-12-01", True),
    ]  # fmt: skip
    assert listed["applications"][0]["phone"] == "138****5678"
    assert main(["review", "approve", "A001", "--residence", "户籍在本区", "--db", str(path)]) == 0
    assert main(["review", "reject", "A002", "--reason", "not_local", "--db", str(path)]) == 0
    assert main(["--lang", "zh", "review", "list", "--all", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "已通过审核" in out and "未通过审核" in out and "原因：未在本地居住、工作或学习" in out
    assert main(["review", "approve", "A009", "--db", str(path)]) == 2
    assert "A009" in capsys.readouterr().err
    assert main(["groups", "add", "A001", "--org", "单位", "--contact", "张", "--phone", "13900001111",
                 "--db", str(path)]) == 0  # fmt: skip
    assert main(["groups", "list", "--json", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    listed_groups = json.loads(out[out.index("[") :])
    assert listed_groups[0]["contact_phone"] == "139****1111"
    assert listed_groups[0]["members"][0]["number"] == "A001"


def test_listing_a_read_only_file_still_shows_the_failed_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import contextlib

    import checkin.review

    db = review_db(signup_excluded=["npc_deputy"])
    sign_up(db, tmp_path, [person_row(1, category="人大代表")])

    @contextlib.contextmanager
    def read_only(_db: Database):  # type: ignore[no-untyped-def]
        raise CheckinError("storage.read_only")
        yield

    monkeypatch.setattr(checkin.review, "write_transaction", read_only)
    assert run_auto_checks(db) == []
    (app,) = list_applications(db)
    assert app.review == "pending" and app.problems == ("excluded",)


def test_typed_text_with_control_characters_is_refused(tmp_path: Path) -> None:
    db = review_db()
    sign_up(db, tmp_path, [person_row(1)])
    with pytest.raises(CheckinError) as info:
        reject(db, ["A001"], reason="不符\x1b[31m", operator=OFFICE)
    assert info.value.key == "text.control"
    with pytest.raises(CheckinError) as info:
        create_group(db, "单位\u202e", "张")
    assert info.value.key == "text.control"
    assert db.execute("SELECT review FROM people").fetchone()[0] == "pending"


def test_a_group_form_becomes_a_group_application(tmp_path: Path) -> None:
    from tests.data.make_corpus import group_form_docx

    path = tmp_path / "e.db"
    db = open_db(path, create=True)
    create_event(db, Event(title="t", date=EVENT_DATE, capacity=6, review=True))
    form = group_form_docx(tmp_path / "活动报名+XX社区.docx")
    result = import_file(db, form)
    assert result.imported == 2  # 周一, 周二 (周三's ID number is refused)
    (group,) = list_groups(db)
    phone = db.execute("SELECT phone FROM people WHERE name = '周一'").fetchone()[0]
    assert (group.number, group.organization, group.contact_name, group.contact_phone) == (
        "G001", "XX社区居委会", "周一", phone,
    )  # fmt: skip
    assert phone.replace("-", "") == "02584561234"  # the form's 联系电话 box
    assert [m.name for m in group.members] == ["周一", "周二"] and not group.documents_received
    # reviewed together once the unit's documents have arrived
    with pytest.raises(CheckinError) as info:
        approve(db, ["G001"], operator=OFFICE, residence="社区在本区")
    assert info.value.key == "review.group_documents"
    set_documents(db, "G001", received=True, documents="单位介绍信")
    assert len(approve(db, ["G001"], operator=OFFICE, residence="社区在本区")) == 2
    # staff correct the contact the form did not name
    assert (
        main(["groups", "edit", "g001", "--contact", "王主任", "--email", "sq@example.cn", "--db", str(path)])
        == 0
    )
    (group,) = list_groups(db)
    assert (group.contact_name, group.contact_email, group.organization) == (
        "王主任",
        "sq@example.cn",
        "XX社区居委会",
    )
    # the same form again adds nobody and no second group
    import_file(db, form)
    assert len(list_groups(db)) == 1
    db.conn.close()


def test_rejecting_someone_already_invited_takes_their_place_back_at_once(tmp_path: Path) -> None:
    # Two places, three approved: A001 and A002 invited, A003 waiting. The office then finds
    # A001 does not live in the area. Until now A001 kept a valid invitation (the door let
    # them in) until someone happened to run the selection again.
    from checkin.door import Door
    from checkin.keys import issue_token

    db = review_db(capacity=2, min_citizen_share=0)
    sign_up(db, tmp_path, [person_row(i, at=f"2026-11-2{i} 09:00") for i in range(1, 4)])
    approve(db, ["A001", "A002", "A003"], operator="office", residence="户籍在本区")
    select(db)
    token = issue_token(db, "A001").token
    reject(db, ["A001"], reason="not_local", operator="office")
    status = dict(db.execute("SELECT number, status FROM people").fetchall())
    assert status == {"A001": "signed_up", "A002": "invited", "A003": "invited"}
    door = Door(db, "东门", "小王")
    assert door.scan(token).verdict == "refused"
    assert door.judge("A001", {"id_card": "seen"}).verdict == "refused"
    # rejecting someone on the waiting list takes them off it too
    db2 = review_db(capacity=1, min_citizen_share=0)
    sign_up(db2, tmp_path, [person_row(i, at=f"2026-11-2{i} 09:00") for i in range(1, 3)])
    approve(db2, ["A001", "A002"], operator="office", residence="户籍在本区")
    select(db2)
    reject(db2, ["A002"], reason="not_local", operator="office")
    assert db2.execute("SELECT status, queue_pos FROM people WHERE number = 'A002'").fetchone() == (
        "signed_up",
        None,
    )


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('review = "yes"', ("“review”应为 true 或 false", "review must be true or false")),
        (
            'review_working_days = "2"',
            ("“review_working_days”应为整数", "review_working_days must be a whole number"),
        ),
        ("reply_email = 5", ("“reply_email”应为文字", "reply_email must be text")),
        ('capacity = "ten"', ("“capacity”应为整数", "capacity must be a whole number")),
        ("max_age = 65.5", ("“max_age”应为整数", "max_age must be a whole number")),
        ("capacity = true", ("“capacity”应为整数", "capacity must be a whole number")),
        ('unfilled = ["pool"]', ("“unfilled”应为文字", "unfilled must be text")),
        # beyond what the file can hold: an OverflowError traceback
        ("capacity = 100000000000000000000", ("“capacity”的值太大", "capacity is too large")),
        ("max_age = 100000000000000000000", ("“max_age”的值太大", "max_age is too large")),
        ('[event.quotas]\n"群众代表" = 100000000000000000000', ("名额数无效", "are not valid")),
    ],
)
def test_a_value_of_the_wrong_kind_in_the_event_file_is_named_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, words: tuple[str, str]
) -> None:
    # `review = "yes"` ended `checkin init` in a ValueError traceback, `capacity = "ten"` in a
    # TypeError; nothing was created, but nothing said what was wrong either
    toml = tmp_path / "event.toml"
    toml.write_text(f'[event]\ntitle = "开放日"\ndate = 2026-12-18\n{line}\n', encoding="utf-8")
    for lang, expected in zip(("zh", "en"), words, strict=True):
        db = tmp_path / f"{lang}.db"
        assert main(["--lang", lang, "init", "--db", str(db), "--from", str(toml)]) != 0
        err = capsys.readouterr().err
        assert expected in err and "Traceback" not in err
        assert not db.exists()


def test_a_group_and_its_members_are_shown_with_their_review_in_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `groups list` said 已报名 for a member approved, rejected or waiting for review alike, and
    # an unknown group number was "no person numbered G009"
    path = tmp_path / "e.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=6, review=True))
        sign_up(db, tmp_path, [person_row(i, at=f"2026-11-2{i} 09:00") for i in (1, 2, 3)])
        create_group(db, "示范公司", "王经理", members=["A001", "A002", "A003"], documents_received=True)
        approve(db, ["A001"], operator=OFFICE, residence="户籍在本区")
        reject(db, ["A002"], reason="incomplete", operator=OFFICE)
    capsys.readouterr()
    assert main(["--lang", "zh", "groups", "list", "--db", str(path)]) == 0
    line = capsys.readouterr().out
    assert "A001 张001（已通过审核）、A002 张002（未通过审核）、A003 张003（待审核）" in line
    assert main(["--lang", "en", "groups", "list", "--db", str(path)]) == 0
    line = capsys.readouterr().out  # no Chinese punctuation in English
    assert "A001 张001 (Approved), A002 张002 (Rejected), A003 张003 (Pending review)" in line
    assert "documents: received\t" in line
    assert main(["--lang", "zh", "review", "reject", "G009", "--reason", "x", "--db", str(path)]) != 0
    assert "没有编号为 G009 的集体申请" in capsys.readouterr().err


def test_the_automatic_checks_run_before_select_and_notices_too(tmp_path: Path) -> None:
    # They ran only when the review list was read: imported and selected straight away, an
    # excluded NPC deputy counted among the applications "still waiting for review", and the
    # notices never told them they were turned down.
    from checkin.notices import write_notices

    db = review_db(signup_excluded=["npc_deputy"])
    sign_up(db, tmp_path, [person_row(1, category="人大代表"), person_row(2)])
    result = select(db)
    assert dict(result.warnings)["select.pending_review"] == {"count": 1}  # A002 only
    run = write_notices(db, tmp_path / "out")
    assert [(n.number, n.kind) for n in run.notices] == [("A001", "rejected")]


def test_the_review_list_says_when_review_is_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "e.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=6))
        sign_up(db, tmp_path, [person_row(1)])
    capsys.readouterr()
    assert main(["--lang", "zh", "review", "list", "--db", str(path)]) == 0
    assert "本次活动未开启审核" in capsys.readouterr().out


def test_someone_already_inside_cannot_be_rejected(tmp_path: Path) -> None:
    # A wrong number typed on the day: the guest at the door was taken off the list, their
    # invitation revoked and the next on the waiting list told to come — while they sat inside.
    from checkin.door import Door
    from checkin.keys import issue_token

    db = review_db(capacity=1, min_citizen_share=0)
    sign_up(db, tmp_path, [person_row(1, at="2026-11-21 09:00"), person_row(2, at="2026-11-22 09:00")])
    approve(db, ["A001", "A002"], operator=OFFICE, residence="户籍在本区")
    select(db)
    assert Door(db, "gate", "tester").scan(issue_token(db, "A001").token, {"id_card": "seen"}).admitted
    with pytest.raises(CheckinError) as info:
        reject(db, ["A001"], reason="incomplete", operator=OFFICE)
    assert info.value.key == "review.already_inside"
    rows = db.execute("SELECT number, status, review FROM people ORDER BY seq").fetchall()
    assert rows == [("A001", "invited", "approved"), ("A002", "waiting", "approved")]
