"""Both catalogues complete; language from --lang, then CHECKIN_LANG, then the locale."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from checkin.i18n import catalogue, resolve_language, tr

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_no_key_missing_in_either_language() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert sorted(set(zh) - set(en)) == []
    assert sorted(set(en) - set(zh)) == []


def test_placeholders_agree_between_languages() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    for key in zh:
        assert set(PLACEHOLDER.findall(zh[key])) == set(PLACEHOLDER.findall(en[key])), key


def test_every_key_used_in_code_exists() -> None:
    used: set[str] = set()
    pattern = re.compile(r"""(?:tr|CheckinError|bind)\(\s*f?["']([a-z_.\-0-9]+)["']""")
    for path in list((ROOT / "checkin").rglob("*.py")) + list((ROOT / "screens").rglob("*.py")):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    keys = set(catalogue("en"))
    missing = sorted(k for k in used if "." in k and not k.endswith(".") and k not in keys)
    assert missing == []


def test_every_binding_id_has_a_description() -> None:
    keys = set(catalogue("zh"))
    for path in (ROOT / "screens").rglob("*.py"):
        for binding_id in re.findall(
            r"""bind\(\s*"[^"]*",\s*"[^"]*",\s*"([a-z_]+)"\s*[,)]""",
            path.read_text(encoding="utf-8"),
        ):
            assert f"app.bind.{binding_id}" in keys, (path.name, binding_id)


@pytest.mark.parametrize(
    ("cli", "env", "lang_env", "expected"),
    [
        ("en", "zh", "zh_CN.UTF-8", "en"),
        (None, "en", "zh_CN.UTF-8", "en"),
        (None, None, "zh_CN.UTF-8", "zh"),
        (None, None, "en_US.UTF-8", "en"),
        (None, "zh-Hans", "C", "zh"),
        # Chinese first: English only when asked for (a C/POSIX or foreign locale is not asking)
        (None, None, "C", "zh"),
        (None, None, "C.UTF-8", "zh"),
        (None, None, "POSIX", "zh"),
        (None, None, "fr_FR.UTF-8", "zh"),
        (None, None, "en_GB.UTF-8", "en"),
    ],
)
def test_language_resolution_order(
    monkeypatch: pytest.MonkeyPatch, cli: str | None, env: str | None, lang_env: str, expected: str
) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "CHECKIN_LANG"):
        monkeypatch.delenv(var, raising=False)
    if env:
        monkeypatch.setenv("CHECKIN_LANG", env)
    monkeypatch.setenv("LANG", lang_env)
    assert resolve_language(cli) == expected


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ("C", "zh"),  # no locale at all
        ("C.UTF-8", "zh"),  # what Python falls back to (locale.getlocale() calls it en_US)
        ("English_United States.1252", "en"),  # Windows
        ("Chinese (Simplified)_China.936", "zh"),
        ("en_US.UTF-8", "en"),
    ],
)
def test_without_a_locale_variable_the_system_locale_decides_and_only_english_gives_english(
    monkeypatch: pytest.MonkeyPatch, reported: str, expected: str
) -> None:
    import locale

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "CHECKIN_LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(locale, "setlocale", lambda category, value=None: reported)
    assert resolve_language(None) == expected


def test_a_program_started_without_a_locale_speaks_chinese() -> None:
    """`LANG=C` (a bare terminal, a server) or no locale at all: the desk speaks Chinese."""
    for env in ({"LANG": "C", "PATH": ""}, {"PATH": ""}):
        result = subprocess.run(
            [sys.executable, "-m", "screens.main", "event", "show", "--db", "/nonexistent/x.db"],
            capture_output=True, text=True, env={**env, "PYTHONIOENCODING": "utf-8"}, cwd=ROOT, check=False,
        )  # fmt: skip
        assert result.returncode == 2
        assert "找不到活动文件" in result.stderr, env


def test_cli_speaks_chinese_from_environment() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "screens.main", "event", "show", "--db", "/nonexistent/x.db"],
        capture_output=True, text=True, env={"CHECKIN_LANG": "zh", "PATH": ""}, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "找不到活动文件" in result.stderr


def test_tr_fills_parameters() -> None:
    assert tr("import.too_young", age=17, min_age=18) == "Age 17 on the event day is under 18"
    assert "17" in tr("import.too_young", lang="zh", age=17, min_age=18)


FIELD = re.compile(r"\{(\w+)(?::[^{}]*)?\}")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("number", [1, 2])
def test_every_message_formats_with_its_placeholders_filled(lang: str, number: int) -> None:
    """No message is malformed (a stray brace, a bad plural) and none leaves a field unfilled."""
    from checkin.i18n import take_problems

    for key, text in catalogue(lang).items():
        filled = tr(key, lang, **dict.fromkeys(FIELD.findall(text), number))
        assert "{" not in filled, (lang, key, filled)
    assert take_problems() == []


def test_english_counts_in_the_singular_and_the_plural() -> None:
    assert tr("invites.done", count=1, pdf="a.pdf", csv="t.csv", qr="qr").startswith("1 invitation:")
    assert tr("invites.done", count=2, pdf="a.pdf", csv="t.csv", qr="qr").startswith("2 invitations:")
    assert tr("select.pending_review", count=1).startswith("1 application is still pending")
    assert tr("app.finish_first", number="A001", waiting=1).endswith("1 scan waiting")
    assert tr("app.finish_first", number="A001", waiting=3).endswith("3 scans waiting")
    assert "1 份邀请函" in tr("invites.done", "zh", count=1, pdf="a.pdf", csv="t.csv", qr="qr")


def test_a_missing_key_or_an_unfilled_message_is_logged_and_recorded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from checkin.i18n import known, take_problems

    key = f"no.such.key_{uuid.uuid4().hex}"  # logged once per key: a key never seen before
    assert tr(key) == key  # the door keeps running and shows the key
    assert tr("import.too_young", age=17) == catalogue("en")["import.too_young"]  # min_age missing
    problems = take_problems()  # taken here: the autouse check would fail this test otherwise
    assert problems[0] == f"missing: {key}"
    assert problems[1].startswith("bad format: import.too_young")
    assert "17" not in problems[1]  # values (names, ID numbers) are never logged
    assert key in caplog.text
    assert not known(key) and known("import.too_young")
    assert take_problems() == []


def test_labels_given_in_both_languages_are_chosen_one_way() -> None:
    """Check profiles, survey templates and own categories carry zh and en words; i18n.pick
    chooses between them, never a hand-written `label_zh if … else label_en`."""
    from checkin.i18n import pick, set_language

    by_hand = re.compile(r"\b\w*zh\b[^\n]*\bif\b[^\n]*(current_language\(\)|lang\b)[^\n]*else")
    for path in [*(ROOT / "checkin").glob("*.py"), *(ROOT / "screens").glob("*.py")]:
        if path.name == "i18n.py":
            continue
        found = by_hand.search(path.read_text(encoding="utf-8"))
        assert found is None, (path.name, found.group(0) if found else "")
    set_language("zh")
    assert pick("身份证", "ID card") == "身份证"
    assert pick("身份证", "ID card", "en") == "ID card"


def test_a_catalogue_is_read_from_its_compiled_copy_only_while_that_is_of_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`checkin run` starts sooner reading the catalogue from a compiled copy (marshal, kept
    with the bytecode); the copy serves only the very file it was made from: a changed
    catalogue, a copy cut short or one that is not a catalogue are read from the TOML."""
    import marshal
    import os

    from checkin import i18n

    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "bytecode"))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    source = tmp_path / "i18n" / "zh.toml"
    source.parent.mkdir()
    source.write_text('[app]\ntitle = "开放日签到台"\n[app.bind]\nquit = "退出"\n', encoding="utf-8")
    assert i18n._read_catalogue(source) == {"app.title": "开放日签到台", "app.bind.quit": "退出"}
    (copy,) = (tmp_path / "bytecode").rglob("zh.*.marshal")

    def stamp() -> bytes:  # the copy's header: what file it was made from
        data = copy.read_bytes()
        return data[: data.index(b"\n", len(i18n._COMPILED)) + 1]

    # the copy is what is read (one changed by hand shows it)
    copy.write_bytes(stamp() + marshal.dumps({"app.title": "from the copy"}))
    assert i18n._read_catalogue(source) == {"app.title": "from the copy"}
    # the catalogue changed (another size, another time): the TOML is read, a new copy made
    source.write_text('[app]\ntitle = "签到"\n', encoding="utf-8")
    os.utime(source, ns=(1_000_000_000, 1_000_000_000))
    assert i18n._read_catalogue(source) == {"app.title": "签到"}
    assert marshal.loads(copy.read_bytes()[len(stamp()) :]) == {"app.title": "签到"}
    # a copy cut short, or not a catalogue: the TOML
    for broken in (
        copy.read_bytes()[:-3],
        stamp() + marshal.dumps([1, 2]),
        stamp() + marshal.dumps({"a": 1}),
    ):
        copy.write_bytes(broken)
        assert i18n._read_catalogue(source) == {"app.title": "签到"}


def test_no_compiled_catalogue_is_written_where_python_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkin import i18n

    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "bytecode"))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    source = tmp_path / "en.toml"
    source.write_text('[app]\ntitle = "Open day"\n', encoding="utf-8")
    assert i18n._read_catalogue(source) == {"app.title": "Open day"}
    assert not (tmp_path / "bytecode").exists()
