"""Every screen of the desk, on a day with people, forms, suggestions and a roll call, in both
languages: nothing drawn is a stored code (issue 18).

The snapshot files cover five states of two screens; this draws each of the nine screens the
app has (screens/modes.py) — and the ledger's history dialog — and reads every character on
the terminal for `snake_case` words and `name=value` pairs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checkin.cli import main as cli_main
from checkin.event import load_event
from checkin.i18n import set_language
from checkin.ledger import set_status
from checkin.storage import open_db
from screens.app import make_app
from screens.modes import SCREEN_IDS
from tests.conftest import settle
from tests.helpers import drawn, simulate_day

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Za-z_]+=[A-Za-z0-9_.]+")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from checkin.demo import build_demo

    path = tmp_path_factory.mktemp("day") / "demo.db"
    database, _, _ = build_demo(path)
    database.conn.close()
    simulate_day(path)
    with open_db(path) as db:
        set_status(db, "S001", "assigned", department="办公室")
        set_status(db, "S001", "in_progress")
        set_status(db, "S001", "resolved", outcome="partly_adopted")
        first = load_event(db).stops[0].name
        arrived = [r[0] for r in db.execute("SELECT number FROM live_checkins ORDER BY number")]
    assert cli_main(["rollcall", "--db", str(path), "--stop", first, arrived[0]]) == 0
    assert cli_main(["rollcall", "--db", str(path), "--stop", first, "--left", "unwell", arrived[1]]) == 0
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", SCREEN_IDS)
async def test_no_screen_draws_a_code(day: Path, screen: str, lang: str) -> None:
    set_language(lang)
    with open_db(day) as db:
        first = load_event(db).stops[0].name
    app = make_app(day, station="东门", operator="小王", start=screen, stop=first, bus="1号车")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        texts = [drawn(app)]
        if screen == "ledger":
            await pilot.press("h")  # the history of the suggestion under the cursor
            await settle(app, pilot)
            texts.append(drawn(app))
    for text in texts:
        assert len(text.strip()) > 50, text  # the screen drew something
        assert CODE.findall(text) == [], (screen, lang, CODE.findall(text), text)
