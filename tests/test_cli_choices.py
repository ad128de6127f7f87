"""Every option of the command line that takes one of a closed set of values takes them in
the user's words, Chinese or English, as well as the code (for scripts), and a wrong value is
refused listing the words in the user's language — one mechanism for all (Words in
checkin/cli_registry.py); a new choice option declared without words fails here."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from checkin.cli_main import build_parser
from checkin.cli_registry import Words
from checkin.i18n import set_language
from screens.main import add_app_commands
from tests.helpers import cli_parsers, run_cli

SNAKE = re.compile(r"\b[a-z]+[_-][a-z_-]+\b")


def _choice_options(lang: str) -> list[tuple[str, argparse.Action]]:
    set_language(lang)
    found = []
    for command, parser in cli_parsers(build_parser([add_app_commands])):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction) or not action.choices:
                continue
            if all(isinstance(c, int) for c in action.choices):
                continue  # --pass 1|2, --per-page 1|4: numbers are words already
            if action.dest == "lang":
                continue  # zh|en: the language itself, before any word can be read
            found.append((command, action))
    return found


def test_every_choice_option_takes_words() -> None:
    options = _choice_options("zh")
    assert len(options) >= 10
    plain = [
        f"{command} {action.option_strings or action.dest}"
        for command, action in options
        if not isinstance(action.type, Words)
    ]
    assert plain == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_and_refusals_name_the_words_not_the_codes(lang: str) -> None:
    for command, action in _choice_options(lang):
        words = action.type
        assert isinstance(words, Words)
        shown = words.metavar()
        assert not SNAKE.search(shown), (command, shown)
        # each code and each of its words is one value
        for code in words.codes:
            assert words._label(code, "zh") != code, (command, code)  # a word of its own
            for said in (code, words._label(code, "zh"), words._label(code, "en")):
                assert words(said) == code, (command, said)
        with pytest.raises(argparse.ArgumentTypeError) as refused:
            words("完全不对")
        assert not SNAKE.search(str(refused.value)), (command, str(refused.value))


def test_init_takes_the_ticket_in_words(tmp_path: Path) -> None:
    db = str(tmp_path / "e.db")
    code, said = run_cli(
        "--lang", "zh", "init", "--db", db, "--title", "开放日", "--date", "2026-12-18", "--ticket", "身份证"
    )
    assert code == 0, said
    code, said = run_cli("--lang", "zh", "event", "set", "--db", db, "--ticket", "二维码")
    assert code == 2 and "邀请函、身份证、均可" in said and "id-card" not in said, said
    code, said = run_cli("--lang", "en", "event", "set", "--db", db, "--ticket", "Either")
    assert code == 0, said
    code, said = run_cli("--lang", "zh", "buses", "assign", "--db", db, "--by", "按单位")
    assert "不是可选的值" not in said, said


def test_checks_and_ticket_in_words_on_the_command_line_and_in_the_event_file(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    code, said = run_cli(
        "--lang", "zh", "init", "--db", str(db), "--title", "开放日", "--date", "2026-12-18",
        "--checks", "无需查验", "--ticket", "邀请函",
    )  # fmt: skip
    assert code == 0, said
    code, said = run_cli("--lang", "zh", "event", "show", "--db", str(db))
    assert "无需查验" in said, said
    code, said = run_cli("--lang", "zh", "init", "--help")
    assert "无需查验|仅查验身份证|2022年防疫查验|FILE.toml" in said and "id-only" not in said, said
    toml = tmp_path / "event.toml"
    toml.write_text(
        '[event]\ntitle = "开放日"\ndate = 2026-12-18\nchecks = "仅查验身份证"\nticket = "身份证"\n',
        encoding="utf-8",
    )
    code, said = run_cli("--lang", "zh", "init", "--db", str(tmp_path / "f.db"), "--from", str(toml))
    assert code == 0, said
    code, said = run_cli("--lang", "en", "event", "show", "--db", str(tmp_path / "f.db"), "--json")
    assert '"checks": "id-only"' in said and '"ticket": "id-card"' in said, said
    code, said = run_cli(
        "--lang", "zh", "init", "--db", str(tmp_path / "g.db"), "--title", "x", "--date", "2026-12-18",
        "--checks", "测体温",
    )  # fmt: skip
    assert code == 2 and "无需查验、仅查验身份证、2022年防疫查验" in said and "id-only" not in said, said


def test_the_start_of_one_word_is_that_word() -> None:
    """`review list --state 未通过` (the label is 未通过审核), `--state 通过`; 审核 alone is
    refused — it starts more than one word."""
    state = next(
        a.type for c, a in _choice_options("zh") if c == "review list" and "--state" in a.option_strings
    )
    assert isinstance(state, Words)
    assert state("未通过") == "rejected" and state("通过") == "approved" and state("待审") == "pending"
    with pytest.raises(argparse.ArgumentTypeError):
        state("审核")
    with pytest.raises(argparse.ArgumentTypeError):
        state("未")


def test_the_language_is_taken_in_words_and_a_wrong_one_refused_in_both() -> None:
    code, said = run_cli("--lang", "中文", "review", "list", "--help")
    assert code == 0 and "待审核" in said
    code, said = run_cli("--lang", "English", "review", "list", "--help")
    assert code == 0 and "Pending" in said, said
    code, said = run_cli("--lang", "法语", "review", "list", "--help")
    assert (
        code == 2
        and "只能是 zh（中文）或 en（英文）" in said
        and "must be zh (Chinese) or en (English)" in said
    )
