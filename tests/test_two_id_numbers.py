"""One read, two ID numbers (two cards on the reader at once, a line pasted twice): the desk
never picks one of two people. The scan is refused in words and changes nothing — unless
both are the same number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkin.door import Door, find_id_number, resolve_scan
from checkin.i18n import set_language, tr
from checkin.storage import open_db
from screens.app import make_app
from screens.check_form import CheckFormWidget
from screens.dialogs import WalkInDialog
from tests.helpers import (
    demo_id,
    invited,
    live_checkins,
    panel,
    panel_classes,
    ready,
    send_burst,
    settle,
    token,
)


def two_people(demo: Path) -> tuple[str, str, str, str]:
    first, second = invited(demo, 0), invited(demo, 1)
    return first, second, demo_id(demo, first), demo_id(demo, second)


@pytest.mark.parametrize("layout", ["{a} {b}", "张三\t{a}\t李四\t{b}", "{a},{b};", "ID={b} ID={a}"])
def test_two_different_id_numbers_in_one_read_are_refused_and_change_nothing(demo: Path, layout: str) -> None:
    _, _, a, b = two_people(demo)
    text = layout.format(a=a, b=b)
    with open_db(demo) as db:
        assert resolve_scan(db, text).number is None
        verdict = Door(db, "东门", "小王").scan(text)
        assert (verdict.verdict, verdict.reason, verdict.invitee) == ("refused", "two_id_numbers", None)
        assert db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0
        dump = "\n".join(db.conn.iterdump())
    assert a not in dump and b not in dump
    assert find_id_number(text) is None  # nobody's number is offered to a form or a dialog


def test_the_same_number_twice_in_one_read_is_one_person(demo: Path) -> None:
    first, _, a, _ = two_people(demo)
    with open_db(demo) as db:
        verdict = Door(db, "东门", "小王").scan(f"{a} 罗华 {a.lower()}")
        assert verdict.admitted and verdict.invitee is not None and verdict.invitee.number == first


def test_the_refusal_is_in_words_in_both_languages() -> None:
    for lang in ("zh", "en"):
        words = tr("verdict.two_id_numbers", lang=lang)
        assert "two_id" not in words and ("身份证" in words if lang == "zh" else "ID" in words)


def test_checkin_scan_refuses_two_numbers(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from checkin.cli import main as cli_main

    _, _, a, b = two_people(demo)
    assert cli_main(["scan", f"{a} {b}", "--db", str(demo), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert (out["verdict"], out["reason_code"], out["invitee"]) == ("refused", "two_id_numbers", None)
    set_language("zh")
    assert cli_main(["--lang", "zh", "scan", f"{a} {b}", "--db", str(demo)]) == 1
    assert tr("verdict.two_id_numbers", lang="zh") in capsys.readouterr().out
    assert live_checkins(demo) == []


async def test_on_the_scan_screen_a_read_with_two_numbers_is_refused_in_red(demo: Path) -> None:
    set_language("zh")
    _, _, a, b = two_people(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        send_burst(app, f"{a} {b}")
        await settle(app, pilot)
        assert "-refused" in panel_classes(app)
        assert tr("verdict.two_id_numbers", lang="zh") in panel(app)
    assert live_checkins(demo) == []


async def test_mid_form_a_read_with_the_guests_and_anothers_number_answers_nothing(demo: Path) -> None:
    """The form asks X for the ID card; a read holding X's and Y's numbers neither answers it
    nor queues Y: it is refused at once, and X stays pending."""
    first, _, a, b = two_people(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, token(demo, first))
        await settle(app, pilot)
        form = screen.query_one(CheckFormWidget)
        assert form.asks("id_card")
        for text in (f"{a} {b}", f"{b} {a}"):
            send_burst(app, text)
            await settle(app, pilot)
            assert form.asks("id_card") and screen.current is not None and screen.current.number == first
            assert not screen.waiting
            assert any(tr("verdict.two_id_numbers") in str(n.message) for n in app._notifications)
        assert "-needs_checks" in panel_classes(app)
    assert live_checkins(demo) == []


async def test_the_walk_in_dialog_takes_no_number_from_a_read_with_two(demo: Path) -> None:
    _, _, a, b = two_people(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, WalkInDialog)
        send_burst(app, f"{a} {b}")
        await settle(app, pilot)
        assert dialog.query_one("#id_number").value == ""  # type: ignore[attr-defined]
        assert any(tr("verdict.two_id_numbers") in str(n.message) for n in app._notifications)


@pytest.mark.parametrize(
    "link",
    ["https://zwfw.example.gov.cn/verify?sfz={id}", "weixin://dl/business/?ticket={id}", "www.x.cn/{id}"],
)
def test_a_web_address_carrying_an_id_number_is_refused_whole(demo: Path, link: str) -> None:
    """Found in the attack: a QR code of a link with someone's ID number in it admitted them
    (no card was on the reader). A web address is refused whole, whatever it carries."""
    _, _, a, _ = two_people(demo)
    with open_db(demo) as db:
        verdict = Door(db, "东门", "小王").scan(link.format(id=a))
        assert (verdict.verdict, verdict.reason, verdict.invitee) == ("refused", "web_address", None)
        assert db.execute("SELECT COUNT(*) FROM checkins").fetchone()[0] == 0
