"""A survey template or check profile the office wrote itself: every fault in the user's words —
the file and where in it (line and column, or which item and which key) — never the TOML
parser's English ("Expected '=' after a key…"), a Python message ("'scale'") or a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checkin.errors import CheckinError
from checkin.i18n import set_language
from checkin.profiles import load_profile
from checkin.survey import load_template
from tests.helpers import run_cli

# English words a parser or Python would put in a message; none may reach a Chinese user
PARSER_ENGLISH = re.compile(r"Expected|Invalid|could not|codec|decode|line \d|column|'\w+'")

TEMPLATE_BAD_SYNTAX = '[template]\nname = "x"\n\n[[items]]\nname "attitude"\n'
PROFILE_BAD_SYNTAX = '[profile]\nname = "p"\n\n[[checks]\nname = "t"\n'
GBK_TEXT = "[profile]\nname = “测试”\n".encode("gbk")


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _refusal(load: object, path: Path) -> str:
    with pytest.raises(CheckinError) as caught:
        load(str(path))  # type: ignore[operator]
    return caught.value.message()


@pytest.mark.parametrize("load", [load_template, load_profile], ids=["template", "profile"])
def test_a_syntax_error_names_the_file_and_line_in_chinese_and_english(load: object, tmp_path: Path) -> None:
    text = TEMPLATE_BAD_SYNTAX if load is load_template else PROFILE_BAD_SYNTAX
    path = _write(tmp_path, "我的文件.toml", text)
    line = "5" if load is load_template else "4"
    set_language("zh")
    zh = _refusal(load, path)
    assert str(path) in zh and f"第 {line} 行" in zh, zh
    assert not PARSER_ENGLISH.search(zh.replace(str(path), "")), zh
    set_language("en")
    en = _refusal(load, path)
    assert str(path) in en and f"line {line}," in en and "Expected" not in en, en


@pytest.mark.parametrize("load", [load_template, load_profile], ids=["template", "profile"])
def test_a_file_saved_in_gbk_is_refused_in_words_not_a_traceback(load: object, tmp_path: Path) -> None:
    path = _write(tmp_path, "gbk.toml", GBK_TEXT)
    set_language("zh")
    words = _refusal(load, path)
    assert "UTF-8" in words and str(path) in words
    assert not PARSER_ENGLISH.search(words.replace(str(path), "")), words


def test_a_missing_key_in_a_template_names_the_item_and_the_key(tmp_path: Path) -> None:
    text = '[template]\nname = "x"\n\n[[items]]\nname = "attitude"\nlabel_zh = "服务态度"\nlabel_en = "Attitude"\n'
    path = _write(tmp_path, "t.toml", text)
    set_language("zh")
    assert _refusal(load_template, path).endswith("第 1 题（attitude）缺少“scale”")
    set_language("en")
    assert _refusal(load_template, path).endswith("item 1 (attitude): “scale” is missing")


def test_an_unknown_scale_says_which_scales_there_are(tmp_path: Path) -> None:
    text = '[template]\n[[items]]\nname = "a"\nlabel_zh = "甲"\nlabel_en = "A"\nscale = "10point"\n'
    set_language("zh")
    words = _refusal(load_template, _write(tmp_path, "t.toml", text))
    assert "“scale”应为 3level、5point、yesno 之一（文件中为“10point”）" in words, words


PROFILE_HEAD = (
    '[profile]\nname = "p"\n\n[[checks]]\nname = "{name}"\nkind = "{kind}"\nlabel_zh = "甲"\nlabel_en = "A"\n'
)


def test_a_temperature_limit_that_is_not_a_number_is_refused_in_words(tmp_path: Path) -> None:
    text = PROFILE_HEAD.format(name="temperature", kind="number") + 'refuse_at = "37.3度"\n'
    set_language("zh")
    words = _refusal(load_profile, _write(tmp_path, "p.toml", text))
    assert "第 1 项查验（temperature）的“refuse_at”应为数字（文件中为“37.3度”）" in words, words


def test_a_quoted_false_does_not_let_a_red_code_pass(tmp_path: Path) -> None:
    # bool("false") is True: a red health code would have let the guest in
    text = PROFILE_HEAD.format(name="health_code", kind="choice") + (
        'choices = [{ key = "3", value = "red", label_zh = "红码", label_en = "red", passes = "false" }]\n'
    )
    set_language("zh")
    words = _refusal(load_profile, _write(tmp_path, "p.toml", text))
    assert "第 1 项查验（health_code）的第 1 个选项的“passes”应为 true 或 false" in words, words


def test_the_shipped_files_still_load() -> None:
    for name in ("none", "id-only", "epidemic-2022"):
        assert load_profile(name).name == name
    for name in ("satisfaction", "five-point"):
        assert load_template(name).overall == "overall"
    assert [c.passes for c in load_profile("epidemic-2022").check("health_code").choices] == [
        True,
        False,
        False,
    ]


def test_init_refuses_a_broken_profile_or_template_in_words(tmp_path: Path) -> None:
    gbk = _write(tmp_path, "方案.toml", GBK_TEXT)
    broken = _write(tmp_path, "模板.toml", TEMPLATE_BAD_SYNTAX)
    base = ("--lang", "zh", "init", "--title", "开放日", "--date", "2026-12-01")
    code, said = run_cli(*base, "--db", str(tmp_path / "a.db"), "--checks", str(gbk))
    assert code == 2 and "不是 UTF-8 编码的文本" in said and "Traceback" not in said, said
    # a broken survey template used to be taken, and refused only when the forms were keyed
    code, said = run_cli(*base, "--db", str(tmp_path / "b.db"), "--survey-template", str(broken))
    assert code == 2 and "第 5 行第 6 列" in said, said
