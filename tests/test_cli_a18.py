"""The help of every option that takes words names those words, never the stored codes (a18).

`review list --help` said 只列此状态：pending 待审核、approved 已通过、rejected 未通过 and
`suggestions add --help` 来源：forum 座谈交流 / survey 征求表 / other 其他 (in English
"source: forum / survey / other", while the option takes Suggestion form|Forum|Other), and
`confirm --help` confirmed 已确认 / declined 不参加 / unreachable 未联系上.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from checkin.cli_main import build_parser
from checkin.cli_registry import Words
from checkin.i18n import set_language
from screens.main import add_app_commands
from tests.helpers import cli_parsers


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_help_line_names_a_stored_code(lang: str) -> None:
    set_language(lang)
    try:
        said = []
        for command, parser in cli_parsers(build_parser([add_app_commands])):
            for action in parser._actions:
                if not isinstance(action.type, Words) or not action.help:
                    continue
                help_text = str(action.help)
                for code in action.type.codes:
                    word = action.type._label(code, lang)
                    if code.lower() in word.lower():
                        continue  # the code is (in) the word itself: English prose may say it
                    if re.search(rf"(?<![A-Za-z_]){re.escape(code)}(?![A-Za-z_])", help_text):
                        said.append((command, action.option_strings, code, help_text))
        assert said == []
    finally:
        set_language("zh")


def test_the_two_help_lines_in_words() -> None:
    set_language("zh")
    helps = {
        (command, opt): str(action.help)
        for command, parser in cli_parsers(build_parser([add_app_commands]))
        for action in parser._actions
        if isinstance(action, argparse.Action)
        for opt in action.option_strings
    }
    assert "待审核" in helps[("review list", "--state")]
    assert "座谈交流" in helps[("suggestions add", "--source")]


def test_an_english_refusal_has_no_chinese_colon(demo: Path) -> None:
    """`--lang en scan` of a guest whose ID does not match said
    "The ID number does not match the sign-up：Own ID card: number does not match"."""
    from tests.helpers import invited, token
    from tests.helpers import run_cli as _cli

    guest = invited(demo, 0)
    check = "Own ID card=110101199001010011"
    code, said = _cli("--lang", "en", "scan", "--db", str(demo), "--check", check, token(demo, guest))
    assert code == 1 and "The ID number does not match the sign-up: Own ID card" in said, said
    assert "：" not in said and "、" not in said
    code, said = _cli(
        "--lang",
        "zh",
        "scan",
        "--db",
        str(demo),
        "--check",
        "本人身份证=110101199001010011",
        token(demo, guest),
    )
    assert code == 1 and "身份证号与报名信息不符：本人身份证：号码不符" in said, said


@pytest.mark.parametrize(
    ("lang", "title", "said"),
    [
        ("zh", '"走进税务"开放日', "已创建活动“‘走进税务’开放日”"),
        ("zh", "“走进税务”开放日", "已创建活动“‘走进税务’开放日”"),
        ("en", "“走进税务”开放日", 'Created event "‘走进税务’开放日"'),
    ],
)
def test_init_says_the_title_with_its_quotes_nested(tmp_path: Path, lang: str, title: str, said: str) -> None:
    """init said 已创建活动“"走进税务"开放日” — quotes doubled around a title that has its own."""
    from tests.helpers import run_cli as _cli

    db = str(tmp_path / "e.db")
    code, out = _cli("--lang", lang, "init", "--db", db, "--title", title, "--date", "2026-10-09")
    assert code == 0 and said in out, out


def test_tokens_csv_headers_in_english_are_words(demo: Path, tmp_path: Path) -> None:
    """tokens.csv said number,name,phone,token in either language."""
    from checkin.invitations import render_invitations
    from checkin.storage import open_db
    from tests.helpers import FONT

    set_language("en")
    try:
        with open_db(demo) as db:
            run = render_invitations(db, tmp_path / "out", font=FONT)
    finally:
        set_language("zh")
    header = run.tokens_csv.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "No.,Name,Phone (masked),QR code text"
