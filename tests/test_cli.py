"""The command line: help for every command, init, event show, errors on stderr with exit 2."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from checkin.cli import build_parser
from checkin.cli import main as core_main
from checkin.paths import data_dir
from screens.main import add_app_commands
from screens.main import main as app_main


def all_subparsers(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(((*prefix, name), sub))
                found += all_subparsers(sub, (*prefix, name))
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_and_option_has_help(lang: str) -> None:
    from checkin.i18n import set_language

    set_language(lang)
    parser = build_parser([add_app_commands])
    commands = all_subparsers(parser)
    assert {c[0] for c, _ in commands} >= {
        "init",
        "event",
        "import",
        "select",
        "confirm",
        "people",
        "demo",
        "run",
    }
    for path, sub in commands:
        assert sub.description, f"{path} has no description"
        for action in sub._actions:
            if action.dest not in ("help",) and not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"{path} option {action.dest} has no help"


def test_help_runs_for_each_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        ["init"],
        ["event", "show"],
        ["import"],
        ["select"],
        ["confirm"],
        ["people"],
        ["demo"],
        ["run"],
    ):
        with pytest.raises(SystemExit) as info:
            app_main([*command, "--help", "--lang", "zh"])
        assert info.value.code == 0
        assert "--db" in capsys.readouterr().out


def test_init_then_show_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    assert (
        core_main(
            [
                "init",
                "--db",
                str(db),
                "--title",
                "开放日",
                "--date",
                "2026-12-18",
                "--capacity",
                "25",
                "--checks",
                "none",
                "--supervisor-pin",
                "123456",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert core_main(["event", "show", "--db", str(db), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"] == "开放日"
    assert (shown["capacity"], shown["min_age"], shown["checks"]) == (25, 18, "none")
    assert shown["min_citizen_share"] == "1/3" and shown["outside_capacity"] == ["media"]
    assert shown["has_supervisor_pin"] is True
    assert "123456" not in json.dumps(shown)


def test_init_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    assert core_main(["init", "--db", str(db), "--title", "x", "--date", "2026-12-18"]) == 0
    capsys.readouterr()
    core_main(["event", "show", "--db", str(db), "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert (shown["capacity"], shown["min_age"], shown["checks"]) == (30, 18, "id-only")


def test_init_from_example_toml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    assert core_main(["init", "--db", str(db), "--from", str(data_dir() / "demo" / "event.toml")]) == 0
    capsys.readouterr()
    core_main(["event", "show", "--db", str(db), "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["starts"] == "14:00" and len(shown["agenda"]) == 4


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["init", "--db", "{db}", "--title", "x", "--date", "2026-13-40"], "YYYY-MM-DD"),
        (
            ["init", "--db", "{db}", "--title", "x", "--date", "2026-12-18", "--starts", "25:00"],
            "HH:MM",
        ),
        (
            ["init", "--db", "{db}", "--title", "x", "--date", "2026-12-18", "--capacity", "0"],
            "Capacity",
        ),
        (
            [
                "init",
                "--db",
                "{db}",
                "--title",
                "x",
                "--date",
                "2026-12-18",
                "--supervisor-pin",
                "ab",
            ],
            "PIN",
        ),
        (["init", "--db", "{db}"], "--title"),
        (["event", "show", "--db", "{db}"], "not found"),
        (["confirm", "A001", "--status", "confirmed", "--db", "{db}"], "not found"),
    ],
)
def test_errors_go_to_stderr_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code = core_main([a.replace("{db}", str(tmp_path / "e.db")) for a in argv])
    captured = capsys.readouterr()
    assert code == 2
    assert needle in captured.err
    assert captured.out == ""


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        core_main(["confirm", "A001", "--status", "maybe", "--db", "x"])
    assert info.value.code == 2


def test_chinese_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "e.db"
    core_main(["--lang", "zh", "init", "--db", str(db), "--title", "x", "--date", "2026-12-18"])
    assert "已创建活动" in capsys.readouterr().out


def test_demo_builds_without_app(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert app_main(["demo", "--db", str(db), "--no-app"]) == 0
    assert "40" in capsys.readouterr().out
    assert core_main(["select", "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["citizen_share"] >= 1 / 3
    assert out["counted_in_capacity"] == 30
    assert core_main(["people", "--db", str(db), "--status", "invited", "--json"]) == 0
    invited = json.loads(capsys.readouterr().out)
    citizen = next(p["number"] for p in invited if p["category"] == "citizen")
    assert core_main(["confirm", citizen, "--status", "declined", "--db", str(db)]) == 0
    assert "Moved up" in capsys.readouterr().out
