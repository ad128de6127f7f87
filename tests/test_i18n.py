"""Both catalogues complete; language from --lang, then CHECKIN_LANG, then the locale."""

from __future__ import annotations

import re
import subprocess
import sys
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
