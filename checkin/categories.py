"""Visitor categories (类别) named in the open-day documents."""

from __future__ import annotations

import unicodedata

from checkin.errors import CheckinError
from checkin.i18n import catalogue, tr

CITIZEN = "citizen"
MEDIA = "media"

# code → Chinese label; the order is the order of reports and boards.
CATEGORIES: dict[str, str] = {
    "citizen": "群众代表",
    "npc_deputy": "人大代表",
    "cppcc_member": "政协委员",
    "enterprise": "企业代表",
    "commissioner": "科技特派员",
    "expert": "专家学者",
    "community": "社区工作者",
    "retired": "退休干部",
    "monitor": "政务公开义务监督员",
    "media": "媒体记者",
    "other": "其他",
}

# Short forms seen on real sign-up sheets.
_ALIASES = {
    "群众": "citizen",
    "市民": "citizen",
    "市民代表": "citizen",
    "人大": "npc_deputy",
    "政协": "cppcc_member",
    "企业": "enterprise",
    "特派员": "commissioner",
    "专家": "expert",
    "学者": "expert",
    "社区": "community",
    "退休": "retired",
    "监督员": "monitor",
    "义务监督员": "monitor",
    "媒体": "media",
    "记者": "media",
}


def category_label(code: str, lang: str | None = None) -> str:
    return tr(f"category.{code}", lang=lang)


def parse_category(raw: str | None) -> str:
    """A code, a Chinese or English label, or a common short form → the code.

    An empty cell means a citizen: sign-ups from the public are 群众代表 unless marked.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        return CITIZEN
    lowered = text.lower().replace(" ", "_")
    if lowered in CATEGORIES:
        return lowered
    for code, label in CATEGORIES.items():
        if text == label or text.lower() == catalogue("en").get(f"category.{code}", "").lower():
            return code
    if text in _ALIASES:
        return _ALIASES[text]
    raise CheckinError("category.unknown", value=text)
