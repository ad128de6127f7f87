"""A quick start at the door (issue 13): what `checkin run` does, and leaves undone, before
the scan screen can take a scan. The figures are in `make bench` (benchmarks/door_terminal.py);
these tests hold the behaviour that makes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.css import stylesheet as textual_stylesheet
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from checkin.cli import build_parser
from checkin.door import Door
from checkin.i18n import set_language
from checkin.storage import open_db
from screens.app import make_app
from screens.main import add_app_commands
from screens.scan import ScanScreen
from tests.conftest import settle

ROOT = Path(__file__).resolve().parent.parent


def footer_keys(app: object) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))  # type: ignore[attr-defined]


async def test_the_door_checkin_run_opened_is_the_screens_and_the_event_shows_at_once(demo: Path) -> None:
    """`checkin run` opens the file once: the scan screen takes that door, shows the event on
    its first paint (no worker to wait for), scans with it, and closes it at the end."""
    set_language("zh")
    door = Door(open_db(demo, shared=True), "东门", "小王")
    app = make_app(demo, station="东门", operator="小王", door=door)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        assert screen.door is door
        status = str(screen.query_one("#door-status", Static).render())
        assert "走进税务" in status and "已到 0/32" in status
        await settle(app, pilot)
        box = screen.query_one("#scan", Input)
        number = door.db.execute(
            "SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos LIMIT 1"
        ).fetchone()[0]
        box.insert_text_at_cursor(number)
        await pilot.press("enter")
        await settle(app, pilot)
        assert door.db.execute("SELECT COUNT(*) FROM scans WHERE number = ?", [number]).fetchone()[0] == 1
    app.release_door()
    with pytest.raises(Exception, match="closed"):
        door.db.execute("SELECT 1")


async def test_a_door_no_screen_took_is_closed_when_the_app_ends(demo: Path) -> None:
    door = Door(open_db(demo, shared=True), "东门", "小王")
    app = make_app(demo, station="东门", operator="小王", start="people", door=door)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
    app.release_door()
    with pytest.raises(Exception, match="closed"):
        door.db.execute("SELECT 1")


async def test_the_key_line_follows_the_bindings_and_is_rebuilt_only_when_they_change(demo: Path) -> None:
    """The footer is rebuilt only when what it shows changes: moving the focus leaves the
    same keys in place (Textual rebuilt them every time); a verdict enables F7/F8, and a
    language switch relabels every key."""
    set_language("zh")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        before = footer_keys(app)
        assert "查找" in [key.description for key in before]
        annul = next(key for key in before if key.action == "annul")
        assert annul.has_class("-disabled")  # nobody to annul yet
        app.screen.query_one("#recent").focus()
        await settle(app, pilot)
        app.screen.query_one("#scan").focus()
        await settle(app, pilot)
        assert footer_keys(app) == before  # the same widgets: nothing was rebuilt

        number = open_db(demo)
        first = number.execute(
            "SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos"
        ).fetchone()[0]
        number.conn.close()
        box = app.screen.query_one("#scan", Input)
        box.insert_text_at_cursor(first)
        await pilot.press("enter")
        await settle(app, pilot)
        annul = next(key for key in footer_keys(app) if key.action == "annul")
        assert not annul.has_class("-disabled")

        await pilot.press("ctrl+l")
        await settle(app, pilot)
        labels = [key.description for key in footer_keys(app)]
        assert "Look up" in labels and "查找" not in labels


async def test_css_is_parsed_once_per_source_and_follows_a_change_of_theme(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the door's screen parses app.tcss once (Textual parsed it again at every
    refresh: eight times); another theme is still applied."""
    parsed: list[str] = []
    real = textual_stylesheet.parse

    def counting(scope: str, css: str, read_from: object, *args: object, **kwargs: object) -> object:
        parsed.append(str(read_from))
        return real(scope, css, read_from, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert sum("app.tcss" in where for where in parsed) == 1
        box = app.screen.query_one("#scan", Input)
        dark = box.styles.background
        app.theme = "textual-light"
        await settle(app, pilot)
        assert box.styles.background != dark
        assert sum("app.tcss" in where for where in parsed) == 2  # parsed again, with the new colours


async def test_other_screens_rules_are_not_parsed_at_start_and_are_when_their_screen_opens(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each screen's rules are in its own file (its CSS_PATH), read when it first opens: the
    door's start parses the rules all share and the scan screen's, none of the board's, the
    roll call's, the ledger's …; the board's are read, and hold, when F4 opens it."""
    parsed: list[str] = []
    real = textual_stylesheet.parse

    def recording(scope: str, css: str, read_from: object, *args: object, **kwargs: object) -> object:
        parsed.append(css)
        return real(scope, css, read_from, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(textual_stylesheet, "parse", recording)
    others = ("#board-main", "#calls-hint", "#overview", "#survey-title", "#ledger-filters", "#visit-panel")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        read = "".join(parsed)
        assert "#verdict" in read and ".dialog" in read
        assert not [rule for rule in others if rule in read]
        await pilot.press("f4")
        await settle(app, pilot)
        assert "#board-main" in "".join(parsed)
        assert str(app.screen.query_one("#board-main").styles.height) == "1fr"  # board.tcss's


def test_run_and_demo_parse_without_the_other_commands() -> None:
    """`checkin run`'s arguments are read by a parser holding only the app's commands (the
    hundred others are neither built nor imported); `checkin --help` still lists them all."""
    quick = build_parser([add_app_commands], core=False)
    args = quick.parse_args(["run", "--db", "x.db", "--station", "东门", "--operator", "小王"])
    assert (args.command, args.station, args.operator) == ("run", "东门", "小王")
    full = build_parser([add_app_commands])
    commands = full._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"run", "demo", "import", "select", "survey", "merge"} <= set(commands)


def test_checkin_run_loads_no_office_machinery_before_the_screen(demo: Path) -> None:
    """Up to the moment the screen starts, `checkin run` has imported none of the import,
    invitation, report or look-up machinery (sheets, QR codes, Word, pinyin …)."""
    script = (
        "import json, sys\n"
        "import screens.main as m\n"
        "m._run_app = lambda *a, **k: 0\n"
        f"code = m.main(['--lang', 'zh', 'run', '--db', {str(demo)!r}, '--station', '东门', '--operator', '小王'])\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    code, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert code == 0
    heavy = {
        "checkin.importer", "checkin.sheets", "checkin.invitations", "checkin.report", "checkin.notices",
        "screens.dialogs", "openpyxl", "python_calamine", "docx", "PIL", "qrcode",
        "pypinyin", "jinja2", "checkin.workdays",
    }  # fmt: skip
    assert heavy.isdisjoint(modules), sorted(heavy & set(modules))


def test_checkin_run_reads_the_catalogue_of_its_language_only(demo: Path) -> None:
    """Up to the moment the screen starts, `checkin run --lang zh` has read the Chinese
    catalogue and not the English one (the `--screen` option's default was looked up among
    the screens' names in both languages: a second catalogue read for nothing)."""
    script = (
        "import json\n"
        "import checkin.i18n as i18n\n"
        "read = []\n"
        "real = i18n._read_catalogue\n"
        "i18n._read_catalogue = lambda path: read.append(path.name) or real(path)\n"
        "import screens.main as m\n"
        "m._run_app = lambda *a, **k: 0\n"
        f"code = m.main(['--lang', 'zh', 'run', '--db', {str(demo)!r}, '--station', '东门', '--operator', '小王'])\n"
        "print(json.dumps([code, read]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [0, ["zh.toml"]]


def test_the_look_up_index_works_out_its_keys_outside_the_write_lock(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A door's first start indexes everyone for look-up, on a connection of its own, while
    the volunteer already scans: the pinyin is worked out with no write lock held, so a
    check-in never waits for it (only for the short write of the keys)."""
    from checkin import search
    from checkin.storage import write_transaction

    with open_db(demo) as db:
        with write_transaction(db):
            db.execute("DELETE FROM people_search")
        locked: list[bool] = []
        real = search.search_keys

        def keys(name: str, phone: str | None, id_masked: str) -> set[str]:
            locked.append(db.conn.in_transaction)
            return real(name, phone, id_masked)

        monkeypatch.setattr(search, "search_keys", keys)
        assert search.ensure_index(db) == 40
        assert len(locked) == 40 and not any(locked)
        number, name = db.execute("SELECT number, name FROM people ORDER BY number LIMIT 1").fetchone()
        assert number in search.look_up(db, name)


# ------------------------------------------------------------ the door opened after the first paint


def test_checkin_run_shows_the_screen_before_sqlite_utils_and_cryptography_are_imported(demo: Path) -> None:
    """`checkin run` hands the screen what its status line shows, read with SQLite alone: up to
    the moment the screen starts, neither sqlite-utils (click, dateutil, pluggy …) nor
    cryptography nor the door itself has been imported; the door opens after the first paint."""
    script = (
        "import json, sys\n"
        "import screens.main as m\n"
        "seen = {}\n"
        "m._run_app = lambda db, **k: seen.update(k) or 0\n"
        f"code = m.main(['--lang', 'zh', 'run', '--db', {str(demo)!r}, '--station', '东门', '--operator', '小王'])\n"
        "look = seen['first_look']\n"
        "print(json.dumps([code, look.status(), seen.get('door') is None, sorted(sys.modules)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    code, status, no_door, modules = json.loads(out.stdout.strip().splitlines()[-1])
    assert code == 0 and no_door
    assert "走进税务" in status and "已到 0/32" in status
    loaded = {name.split(".")[0] for name in modules} | set(modules)
    heavy = {"sqlite_utils", "cryptography", "click", "dateutil", "pluggy", "checkin.door", "checkin.storage"}
    assert heavy.isdisjoint(loaded), sorted(heavy & loaded)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_status_line_read_before_the_door_opens_is_the_doors(demo: Path, lang: str) -> None:
    """The first look (SQLite alone) and the open door say the same, to the letter: the event's
    own citizen category counted in the share, guests inside, a guest outside capacity."""
    from checkin.doorstart import first_look
    from checkin.storage import write_transaction

    set_language(lang)
    with open_db(demo) as db:
        with write_transaction(db):
            db.execute("UPDATE event SET checks = 'none'")
            db.execute(
                "UPDATE event SET categories = ?",
                ['[{"code": "netizen", "zh": "网民代表", "citizen": true}]'],
            )
            invited = [
                r[0]
                for r in db.execute("SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos")
            ]
            db.execute("UPDATE people SET category = 'netizen' WHERE number IN (?, ?)", invited[:2])
            db.execute("UPDATE people SET category = 'enterprise' WHERE number = ?", [invited[2]])
            db.execute("UPDATE people SET in_capacity = 0 WHERE number = ?", [invited[3]])
        door = Door(db, "东门", "小王")
        for number in invited[:5]:
            assert door.judge(number).admitted
        expected = door.status()
    look = first_look(demo, "东门", "小王")
    assert look is not None
    assert look.status() == expected
    assert look.counts == (5, 32, 4, 2)  # 5 inside, one outside capacity; 2 of the 4 citizens


def test_a_file_that_needs_more_than_a_read_is_opened_in_full_before_the_screen(
    demo: Path, tmp_path: Path
) -> None:
    """A sealed pack (the passphrase is asked at the terminal), a file that is not an event yet,
    not a database, missing, or a name the door refuses: no first look — `checkin run` opens
    it in full first and says what is wrong before any screen shows."""
    from checkin.doorstart import first_look
    from checkin.pack import station_pack

    assert first_look(demo, "东门", "小王") is not None
    pack = station_pack(demo, "东门", tmp_path / "east.db")
    assert first_look(pack, "东门", "小王") is None  # sealed
    text = tmp_path / "notes.db"
    text.write_text("not a database", encoding="utf-8")
    assert first_look(text, "东门", "小王") is None
    assert first_look(tmp_path / "missing.db", "东门", "小王") is None
    assert first_look(tmp_path, "东门", "小王") is None  # a folder
    assert first_look(demo, "东\x1b[31m门", "小王") is None  # refused by the door: said before the screen
    assert first_look(demo, "东门", "  ") is None
    with open_db(tmp_path / "empty.db", create=True):
        pass  # migrated, no event yet
    assert first_look(tmp_path / "empty.db", "东门", "小王") is None
    assert not (tmp_path / "missing.db").exists()


async def test_scans_before_the_door_is_open_wait_and_are_judged_in_turn(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen takes scans from its first paint; until the door is open they wait in line:
    nothing is judged or recorded, the panel still says ready. Once it opens they are judged
    in the order they came, each recorded before its verdict shows."""
    import threading

    from checkin.doorstart import first_look
    from tests.helpers import invited, panel, set_checks

    set_language("zh")
    set_checks(demo, "none")
    first, second = invited(demo, 0), invited(demo, 1)
    gate = threading.Event()
    real_open = ScanScreen._open_door

    def slow_open(self: ScanScreen) -> None:
        assert gate.wait(10)
        real_open(self)

    monkeypatch.setattr(ScanScreen, "_open_door", slow_open)
    look = first_look(demo, "东门", "小王")
    app = make_app(demo, station="东门", operator="小王", first_look=look)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen) and screen.door is None
        assert "已到 0/32" in str(screen.query_one("#door-status", Static).render())
        app.route_scan(first)
        box = screen.query_one("#scan", Input)
        box.insert_text_at_cursor(second)
        await pilot.press("enter")
        await pilot.pause()
        assert list(screen.waiting) == [first, second]
        assert "请扫描邀请函二维码" in panel(app)  # still the ready panel: nothing judged
        with open_db(demo) as db:
            assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 0
        gate.set()
        await settle(app, pilot)
        assert screen.door is not None and not screen.waiting
        assert "准予入场" in panel(app) and second in panel(app)  # the last in line, admitted
        with open_db(demo) as db:
            order = [r[0] for r in db.execute("SELECT number FROM scans ORDER BY id")]
            admitted = {r[0] for r in db.execute("SELECT number FROM live_checkins")}
        assert order == [first, second] and admitted == {first, second}
        assert "已到 2/32" in str(screen.query_one("#door-status", Static).render())


async def test_a_file_the_full_opening_refuses_after_the_first_paint_ends_the_program_saying_why(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The door opened after the first paint finds what the first look could not (here: a
    file written by a newer program): the program ends with exit code 2 and the message, as
    `checkin run` says it before the screen; a scan that waited was not judged."""
    from checkin.doorstart import first_look
    from checkin.errors import CheckinError

    set_language("zh")

    def refused(self: ScanScreen) -> None:
        raise CheckinError("storage.newer_schema", names="m999_later")

    monkeypatch.setattr(ScanScreen, "_open_door", refused)
    look = first_look(demo, "东门", "小王")
    app = make_app(demo, station="东门", operator="小王", first_look=look)
    said: list[str] = []
    real_exit = app.exit

    def exit_saying(*args: object, **kwargs: object) -> None:
        said.append(str(kwargs.get("message")))
        real_exit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(app, "exit", exit_saying)
    async with app.run_test(size=(120, 40)) as pilot:
        app.route_scan("A001")
        await settle(app, pilot)
    assert app.return_code == 2
    assert len(said) == 1 and said[0].startswith("错误") and "m999_later" in said[0]
    with open_db(demo) as db:
        assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 0


async def test_the_first_frame_has_the_event_and_the_box_the_table_keys_and_door_follow(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What waits for the first frame (CheckinApp.after_first_frame) and what does not: the
    status line and the scan box are there before it; the recent scans' table (in its place,
    the same width), the key line's keys and the door come after it."""
    from textual.widgets import DataTable

    from checkin.doorstart import first_look
    from screens.app import CheckinApp
    from screens.bindings import DeskFooter

    set_language("zh")
    held: list[object] = []
    monkeypatch.setattr(CheckinApp, "after_first_frame", lambda self, callback: held.append(callback))
    app = make_app(demo, station="东门", operator="小王", first_look=first_look(demo, "东门", "小王"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen)
        assert "已到 0/32" in str(screen.query_one("#door-status", Static).render())
        assert screen.focused is screen.query_one("#scan", Input)
        assert screen.query("#recent-slot") and not screen.query(DataTable)
        assert not footer_keys(app) and screen.door is None
        assert len(held) == 2  # the key line's keys, the table and the door
        for callback in held:
            callback()  # type: ignore[operator]
        await settle(app, pilot)
        table = screen.query_one("#recent", DataTable)
        assert len(table.columns) == 4 and not screen.query("#recent-slot")
        assert screen.door is not None and len(footer_keys(app)) > 10
        assert isinstance(screen.query_one(DeskFooter), DeskFooter)


async def test_the_door_opens_even_if_textual_never_reports_the_first_frame(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A safety net: the work waiting for the first frame (the door above all) is not left
    waiting for ever should Textual report no frame shown; a scan taken meanwhile is judged."""
    from checkin.doorstart import first_look
    from screens.app import FIRST_FRAME_AT_LATEST, CheckinApp
    from tests.helpers import invited, live_checkins, set_checks

    set_checks(demo, "none")
    number = invited(demo, 0)
    monkeypatch.setattr(CheckinApp, "post_display_hook", lambda self: None)
    app = make_app(demo, station="东门", operator="小王", first_look=first_look(demo, "东门", "小王"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ScanScreen) and screen.door is None
        app.route_scan(number)
        await pilot.pause(FIRST_FRAME_AT_LATEST + 0.5)
        await settle(app, pilot)
        assert screen.door is not None and not screen.waiting
    assert [n for n, _, _ in live_checkins(demo)] == [number]


async def test_what_waits_for_the_first_frame_waits_until_a_frame_is_drawn(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The door's opening (its imports, in a worker), the recent scans' table and the key
    line's keys wait until Textual has drawn a frame, not only laid the screen out: Textual's
    Ready, used before, came first, and what it set going often held the first paint back.
    Here nothing reaches the terminal at first: nothing waiting runs; the first frame drawn
    lets it all go."""
    from checkin.doorstart import first_look
    from screens import app as app_module
    from screens.app import CheckinApp

    set_language("zh")
    monkeypatch.setattr(app_module, "FIRST_FRAME_AT_LATEST", 600.0)  # the safety net stays out of it
    drawing = False
    real_display = CheckinApp._display

    def display(self: CheckinApp, screen: object, renderable: object) -> None:
        if drawing:
            real_display(self, screen, renderable)  # type: ignore[arg-type]

    opened: list[ScanScreen] = []
    real_open = ScanScreen.open_door

    def open_door(self: ScanScreen) -> None:
        opened.append(self)
        real_open(self)

    monkeypatch.setattr(CheckinApp, "_display", display)
    monkeypatch.setattr(ScanScreen, "open_door", open_door)
    app = make_app(demo, station="东门", operator="小王", first_look=first_look(demo, "东门", "小王"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        screen = app.screen
        assert isinstance(screen, ScanScreen) and screen.is_mounted
        assert not opened and screen.query("#recent-slot") and not footer_keys(app)
        drawing = True
        screen.refresh()
        await settle(app, pilot)
        assert opened == [screen] and screen.door is not None
        assert not screen.query("#recent-slot") and len(footer_keys(app)) > 10


@pytest.mark.parametrize("start", ["scan", "people", "board"])
async def test_the_start_screen_is_the_first_screen_not_a_switch_of_modes(
    demo: Path, monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    """`checkin run` opens its screen as Textual's first screen: no switch of modes at start
    (after a switch Textual holds every frame back 50 ms, and laid the screen out and drew it
    once for nothing underneath); the other screens' keys switch as before."""
    from textual.app import App

    switches: list[str] = []
    real_switch = App.switch_mode

    def switch_mode(self: App[object], mode: str) -> object:
        switches.append(mode)
        return real_switch(self, mode)

    monkeypatch.setattr(App, "switch_mode", switch_mode)
    app = make_app(demo, station="东门", operator="小王", start=start)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.current_mode == start and switches == []
        assert [type(s).__name__ for s in app.screen_stack] == [type(app.screen).__name__]
        await pilot.press("f4" if start != "board" else "f3")
        await settle(app, pilot)
        assert app.current_mode == ("board" if start != "board" else "people")
        assert switches == [app.current_mode]


def test_checkin_run_starts_the_screen_with_the_cycle_collector_off_and_turns_it_back_on(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`checkin run` starts the screen with Python's cycle collector off (it walked every
    object Textual had made, 30 ms and more before the first frame); it is on again when the
    app ends, whatever happened (the app itself turns it on at its first frame)."""
    import gc

    import screens.app
    import screens.main as main

    seen: dict[str, object] = {}

    class Started:
        return_code = 0

        def run(self) -> None:
            seen["collecting while starting"] = gc.isenabled()
            raise RuntimeError("the terminal went away")

        def release_door(self) -> None:
            seen["released"] = True

    def make(db_path: object, **options: object) -> Started:
        seen["settles its heap"] = options.get("settle_heap")
        return Started()

    monkeypatch.setattr(screens.app, "make_app", make)
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        main._run_app(str(demo), station="东门", operator="小王")
    assert seen == {"settles its heap": True, "collecting while starting": False, "released": True}
    assert gc.isenabled()


def test_checkin_run_reads_its_first_look_and_imports_textual_with_the_collector_off(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the command on: the first look and Textual's import (the scanner settings are
    Textual's) made hundreds of small collections before the screen even started."""
    import gc

    import checkin.doorstart
    import screens.main as main

    seen: list[tuple[str, bool]] = []
    real_look = checkin.doorstart.first_look

    def first_look(*args: object) -> object:
        seen.append(("first look", gc.isenabled()))
        return real_look(*args)  # type: ignore[arg-type]

    def run_app(db_path: str, **options: object) -> int:
        seen.append(("screen", gc.isenabled()))
        return 0

    monkeypatch.setattr(checkin.doorstart, "first_look", first_look)
    monkeypatch.setattr(main, "_run_app", run_app)
    args = build_parser([add_app_commands], core=False).parse_args(
        ["run", "--db", str(demo), "--station", "东门", "--operator", "小王"]
    )
    assert args.handler(args) == 0
    assert seen == [("first look", False), ("screen", False)]
    assert gc.isenabled()


async def test_the_objects_of_the_start_and_of_the_open_door_are_set_aside_from_the_collector(
    demo: Path,
) -> None:
    """The app of `checkin run` freezes what the start made once the first frame is shown,
    and again when the door is open (its connection, the keys): a full collection then walks
    only what the desk made since (they were 100 ms and more, in the middle of scans). An
    app built by other code (the tests) leaves the collector alone."""
    import gc

    from checkin.doorstart import first_look

    set_language("zh")
    gc.disable()
    try:
        app = make_app(
            demo,
            station="东门",
            operator="小王",
            first_look=first_look(demo, "东门", "小王"),
            settle_heap=True,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            assert isinstance(screen, ScanScreen) and screen.door is not None
            assert gc.isenabled() and gc.get_freeze_count() > 0
            assert gc.is_tracked(screen.door)
            assert not [obj for obj in gc.get_objects() if obj is screen.door]  # frozen: not walked
    finally:
        gc.unfreeze()
        gc.enable()
    other = make_app(demo, station="东门", operator="小王")
    async with other.run_test(size=(120, 40)) as pilot:
        await settle(other, pilot)
    assert gc.get_freeze_count() == 0


async def test_the_safety_net_after_a_first_frame_shown_sets_nothing_aside_again(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timer that stands in for a first frame Textual never reported went off two seconds
    after every start, frames or not, and froze the heap once more (whatever the desk held
    at that moment — a guest's check form half way — never collected again). Once the first
    frame is shown it does nothing."""
    from screens.app import CheckinApp

    calls: list[str] = []
    monkeypatch.setattr(CheckinApp, "settle_heap", lambda self: calls.append("settled"))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        shown = len(calls)
        assert shown >= 1  # the first frame (and the door opening, the look-up index)
        app._first_frame_shown()  # what the timer does when it goes off
        assert len(calls) == shown
