"""Each language in its own punctuation: no full-width colon after English words ("Own ID
card：seen"), no ASCII colon after Chinese ones. The catalogues, the strings the code builds
and the screens a volunteer reads are all checked."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from checkin.i18n import catalogue, clauses, colon, listing, set_language
from screens.app import make_app
from screens.check_form import CheckFormWidget
from tests.helpers import drawn, invited, ready, send_burst, set_checks, settle, token

ROOT = Path(__file__).resolve().parent.parent
FULL_WIDTH = "：；，。、（）！？"
HAN = re.compile(r"[\u3400-\u9fff]")
PATTERN = re.compile(rf"\[[^\]]*[{FULL_WIDTH}][^\]]*\]")  # a character class: [、.．:：)）\s]

# Literals with full-width punctuation the code may hold: they parse what people write, or
# they are only ever Chinese (the county's Chinese views, the Chinese-only stored review
# reason, the report's Chinese text, a message printed in both languages).
ALLOWED: dict[str, set[str]] = {
    "checkin/categories.py": {"、"},  # the Chinese branch of known_labels
    "checkin/cli_main.py": {"checkin：--lang 只能是 zh（中文）或 en（英文），不是“"},  # said in both
    "checkin/county.py": {"*：:", "，"},  # reading a header cell, guessing a list's separator
    "checkin/plans.py": {"# 政府开放日活动计划（备案）— checkin plan export"},  # the plan file's title line
    "checkin/report.py": {"。.；;，,"},  # trailing punctuation stripped from a suggestion
    "checkin/review.py": {"、", "；"},  # the automatic review reason, stored in Chinese (lang="zh")
    "checkin/sheets.py": {"、", "：", "*:：", ",;，；、"},  # reading headers and 标签：值 lines
}
CHINESE_ONLY_MODULES = {"checkin/report_template.py", "checkin/officialdoc.py"}  # the Chinese report


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_code_builds_no_text_with_chinese_punctuation_but_through_the_catalogue() -> None:
    """`f"{label}："` shows "Own ID card：" in English: the colon, the list and clause
    separators come from the catalogue (checkin.i18n.colon, listing, clauses)."""
    found = []
    for path in sorted([*(ROOT / "checkin").glob("*.py"), *(ROOT / "screens").glob("*.py")]):
        name = path.relative_to(ROOT).as_posix()
        if name in CHINESE_ONLY_MODULES:
            continue
        for line, text in _literals(path):
            if not set(FULL_WIDTH) & set(text) or text in ALLOWED.get(name, set()):
                continue
            if PATTERN.search(text):
                continue  # a regular expression that reads what people write
            if name == "checkin/county.py" and ("SELECT" in text or "VIEW" in text):
                continue  # the county file's views, named and headed in Chinese
            found.append(f"{name}:{line}: {text[:60]!r}")
    assert found == []


def test_english_messages_have_no_chinese_punctuation_except_around_chinese_words() -> None:
    """An English message may quote Chinese (姓名：… as a mail writes it); its own words take
    ASCII punctuation."""
    bad = []
    for key, text in catalogue("en").items():
        for at, ch in enumerate(text):
            if ch in FULL_WIDTH:
                around = text[max(at - 1, 0) : at] + text[at + 1 : at + 2]
                if not HAN.search(around):
                    bad.append(f"{key}: {text[max(at - 20, 0) : at + 20]!r}")
    assert bad == []


def test_chinese_messages_take_full_width_colons_and_separators() -> None:
    bad = []
    for key, text in catalogue("zh").items():
        if key == "county.problem.not_time":  # 时:分 is how a time is written
            continue
        for match in re.finditer(r"[\u3400-\u9fff）][:;,](?=\s|[\u3400-\u9fff]|$)", text):
            bad.append(f"{key}: {text[max(match.start() - 10, 0) : match.end() + 10]!r}")
    assert bad == []


def test_the_helpers_speak_each_language() -> None:
    assert (colon("zh"), colon("en")) == ("：", ": ")
    assert listing(["张三", "李四"], "zh") == "张三、李四" and listing(["A", "B"], "en") == "A, B"
    assert clauses(["甲", "乙"], "zh") == "甲；乙" and clauses(["a", "b"], "en") == "a; b"


@pytest.mark.parametrize("profile", ["id-only", "epidemic-2022"])
@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_check_form_reads_in_its_own_language(demo: Path, profile: str, lang: str) -> None:
    """The reported case: the English form said "Own ID card：…"."""
    set_language(lang)
    set_checks(demo, profile)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, token(demo, invited(demo)))
        await settle(app, pilot)
        form = screen.query_one(CheckFormWidget)
        assert form.asks("id_card")
        lines = [line for line in drawn(app).splitlines() if "ID card" in line]
        form_text = form.render().plain
        if lang == "en":
            assert "Own ID card: " in form_text
            assert not set("：；、") & set(form_text), form_text
            assert not any("：" in line for line in lines), lines
        else:
            assert "本人身份证：" in form_text and ":" not in form_text
