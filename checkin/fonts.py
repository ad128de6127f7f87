"""Finding a font that has Chinese glyphs, on Windows, macOS and Linux, or the user's own.

Printing with a font that lacks CJK glyphs gives empty boxes, so without one we stop and
say what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from checkin.errors import CheckinError

PROBE = "中文签到"  # characters every usable font must have

CANDIDATES = [
    # Windows
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/msyh.ttf",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsun.ttc",
    # macOS
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    # Linux (Debian/Ubuntu, Fedora, 统信UOS/麒麟)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
]


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int = 0  # the face inside a .ttc collection


def covers_chinese(path: Path, index: int = 0) -> bool:
    """Does the font at `path` have glyphs for the probe characters?"""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        font.close()
    except Exception:  # any unreadable or foreign file simply does not qualify
        return False
    return all(ord(ch) in cmap for ch in PROBE)


def _fc_match() -> list[Path]:
    if not shutil.which("fc-match"):
        return []
    try:
        out = subprocess.run(
            ["fc-match", "-s", "-f", "%{file}\n", ":lang=zh"],
            capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return []
    return [Path(line) for line in out.stdout.splitlines()[:20] if line.strip()]


def find_cjk_font(user_font: str | Path | None = None) -> FontChoice:
    """The user's font (`--font` or CHECKIN_FONT) if given, else the first system CJK font."""
    chosen = user_font or os.environ.get("CHECKIN_FONT")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise CheckinError("fonts.missing_file", path=str(path))
        if not covers_chinese(path):
            raise CheckinError("fonts.not_chinese", path=str(path))
        return FontChoice(path)
    for candidate in [*map(Path, CANDIDATES), *_fc_match()]:
        if candidate.is_file() and covers_chinese(candidate):
            return FontChoice(candidate)
    hint = {
        "win32": "fonts.hint_windows",
        "darwin": "fonts.hint_macos",
    }.get(sys.platform, "fonts.hint_linux")
    raise CheckinError("fonts.none", hint=CheckinError(hint).message())
