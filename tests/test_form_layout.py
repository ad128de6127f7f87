"""The check form at 80×24, as drawn: found in tmux, an ID-card read under epidemic-2022
drew "✔" alone on one line and "本人身份证：已刷身份证，与报名信息相符" on the next (the line
was wrapped at its space), and such wrapped lines pushed the item being asked down. The
form lays out its own lines: the current item wraps whole, the others are one line each."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len

from checkin.i18n import set_language
from screens.app import make_app
from screens.check_form import CheckFormWidget
from tests.helpers import demo_id, drawn, invited, ready, send_burst, set_checks, settle


async def test_an_id_card_read_keeps_its_tick_on_its_line_and_the_asked_item_in_view(demo: Path) -> None:
    set_language("zh")
    set_checks(demo, "epidemic-2022")
    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, demo_id(demo, number))
        await settle(app, pilot)
        form = screen.query_one(CheckFormWidget)
        for key, asked in (("", "健康码"), ("1", "行程码"), ("2", "48小时核酸"), ("1", "体温")):
            if key:
                await pilot.press(key)
                await settle(app, pilot)
            await pilot.pause(0.1)
            screen_text = drawn(app).splitlines()
            card = [line for line in screen_text if "本人身份证" in line]
            assert card and all("✔" in line for line in card), card  # the tick beside its item
            current = [line for line in screen_text if "▶" in line]
            assert current and asked in current[0], current  # the item asked is drawn
            lines = form.render().plain.split("\n")
            assert len(lines) <= form.content_size.height
            assert all(cell_len(line) <= form.content_size.width for line in lines)


async def test_a_finished_form_no_longer_offers_its_keys(demo: Path) -> None:
    """After the verdict the form stays in view, read-only: it said "…退格=返回上一项；Esc=取消"
    though its keys no longer act."""
    from tests.helpers import token

    set_language("zh")
    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, token(demo, number))
        await settle(app, pilot)
        form = screen.query_one(CheckFormWidget)
        assert "Esc" in form.render().plain
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert form.display and "✔" in form.render().plain and "Esc" not in form.render().plain
