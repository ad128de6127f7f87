"""Finding a font that has Chinese glyphs, on Windows, macOS and Linux, or the user's own.

Printing with a font that lacks CJK glyphs gives empty boxes, so without one we stop and
say what to install.

A font collection (.ttc/.otc) holds several faces: Noto Sans CJK's first face is the
Japanese one (JP), whose 门, 直, 骨 are drawn the Japanese way; Microsoft YaHei's and SimSun's
are Simplified Chinese. We always take the Simplified Chinese face (SC) of a collection —
by its names (`SC`, `Simplified`, `简`, the families known to be Simplified Chinese, a
zh-CN name record) — and never a Japanese, Korean or Traditional one when an SC face exists.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from checkin.errors import CheckinError

PROBE = "中文签到"  # characters every usable font must have

CANDIDATES = [
    # Windows (微软雅黑, 黑体, 宋体: all Simplified Chinese)
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


# Families that are Simplified Chinese although their names do not say "SC".
SC_FAMILIES = (
    "microsoft yahei", "simsun", "nsimsun", "simhei", "fangsong", "kaiti", "dengxian",
    "wenquanyi", "wqy", "droid sans fallback", "stheiti", "stsong", "stkaiti", "stfangsong",
    "arial unicode", "ar pl",
)  # fmt: skip
_SC = re.compile(r"(\bSC\b|CJKsc|Simplified|GB|简|\bCN\b|PRC)", re.IGNORECASE)
_NOT_SC = re.compile(
    r"(\b(JP|KR|TC|HK|MO|TW)\b|CJKjp|CJKkr|CJKtc|CJKhk|Japanese|Korean|Traditional|繁|"
    r"Gothic|Mincho|Meiryo|Batang|Gulim|Dotum|MingLiU|PMingLiU|JhengHei)",
    re.IGNORECASE,
)
_ZH_CN = 0x0804  # Windows language ID of a Simplified Chinese name record


@dataclass(frozen=True)
class FontChoice:
    path: Path
    index: int = 0  # the face inside a .ttc collection
    family: str = ""  # that face's family name, e.g. "Noto Sans CJK SC"

    def describe(self) -> str:
        return f"{self.path} ({self.family}, #{self.index})" if self.family else str(self.path)


@dataclass(frozen=True)
class Face:
    index: int
    family: str
    names: tuple[str, ...]
    zh_cn_name: bool

    @property
    def score(self) -> int:
        """Higher is more surely Simplified Chinese; below zero surely another script."""
        text = " ".join(self.names)
        score = 0
        if _NOT_SC.search(text):
            score -= 100
        if _SC.search(text) or any(f in text.lower() for f in SC_FAMILIES):
            score += 100
        if self.zh_cn_name:
            score += 10
        return score


def faces(path: Path) -> list[Face]:
    """The faces of a font file (one for .ttf/.otf, several for a .ttc/.otc collection)."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.ttCollection import TTCollection

    try:
        with path.open("rb") as fh:
            is_collection = fh.read(4) == b"ttcf"
        fonts = (
            list(TTCollection(str(path), lazy=True).fonts)
            if is_collection
            else [TTFont(str(path), lazy=True)]
        )
    except Exception:  # an unreadable or foreign file has no faces we can use
        return []
    result = []
    for index, font in enumerate(fonts):
        try:
            table = font["name"]
            names = tuple(
                str(record.toUnicode(errors="replace"))
                for record in table.names
                if record.nameID in (1, 4, 6, 16)
            )
            family = str(table.getBestFamilyName() or "")
            zh_cn = any(r.platformID == 3 and r.langID == _ZH_CN for r in table.names)
        except Exception:  # a face without a readable name table
            names, family, zh_cn = (), "", False
        result.append(Face(index, family, names, zh_cn))
    for font in fonts:
        font.close()
    return result


def simplified_chinese_face(path: Path) -> Face | None:
    """The collection's Simplified Chinese face that has Chinese glyphs (best first), if any."""
    usable = [f for f in faces(path) if covers_chinese(path, f.index)]
    if not usable:
        return None
    return max(usable, key=lambda f: (f.score, -f.index))


def _choose(path: Path) -> FontChoice | None:
    face = simplified_chinese_face(path)
    if face is None:
        return None
    return FontChoice(path, face.index, face.family)


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


def is_simplified(choice: FontChoice) -> bool:
    """Is the chosen face known to be Simplified Chinese (SC, 简, Microsoft YaHei …)? A
    Traditional, Japanese or Korean face draws 门, 直, 骨 and others another region's way."""
    face = next((f for f in faces(choice.path) if f.index == choice.index), None)
    return face is not None and face.score > 0


def find_cjk_font(user_font: str | Path | None = None) -> FontChoice:
    """The user's font (`--font` or CHECKIN_FONT) if given, else the first system CJK font."""
    chosen = user_font or os.environ.get("CHECKIN_FONT")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise CheckinError("fonts.missing_file", path=str(path))
        choice = _choose(path)
        if choice is None:
            raise CheckinError("fonts.not_chinese", path=str(path))
        return choice
    fallback: FontChoice | None = None
    for candidate in [*map(Path, CANDIDATES), *_fc_match()]:
        if not candidate.is_file():
            continue
        choice = _choose(candidate)
        if choice is None:
            continue
        face = next(f for f in faces(candidate) if f.index == choice.index)
        if face.score > 0:
            return choice
        fallback = fallback or choice  # Chinese glyphs, but not known to be SC: only if no other
    if fallback is not None:
        return fallback
    hint = {
        "win32": "fonts.hint_windows",
        "darwin": "fonts.hint_macos",
    }.get(sys.platform, "fonts.hint_linux")
    raise CheckinError("fonts.none", hint=CheckinError(hint).message())
