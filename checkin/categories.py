"""Visitor categories (类别): the built-in set named in the open-day documents, plus each
event's own (三区人才, 地震宏观观测员, 劳动模范 …) declared in its event file.

A category has a code, a Chinese and an English label, short forms understood at import,
whether it counts as 群众代表 for the citizen share, and whether it takes a place (媒体记者
不占用名额 is the built-in example; the event's `outside_capacity` list says which do not).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from checkin.errors import CheckinError
from checkin.i18n import catalogue, current_language, pick, tr
from checkin.textcheck import check_text

if TYPE_CHECKING:
    from sqlite_utils import Database

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

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_RESERVED = {"unknown"}  # a category no longer known (category_label)
_MAX_LABEL = 40

# Labels of the event's own categories, registered whenever an event is loaded, so that
# `category_label(code)` works in every screen and export without passing the list around.
_CUSTOM_LABELS: dict[str, dict[str, str]] = {}


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    citizen: bool = False  # counts as 群众代表 for the share
    takes_place: bool = True  # counted in capacity (媒体记者不占用名额 → False)
    builtin: bool = True

    def label(self, lang: str | None = None) -> str:
        return pick(self.zh, self.en, lang)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
            "aliases": list(self.aliases),
            "citizen": self.citizen,
            "takes_place": self.takes_place,
            "builtin": self.builtin,
        }


@dataclass(frozen=True)
class CustomCategory:
    """One of the event's own categories, as written in the event file."""

    code: str
    zh: str
    en: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    citizen: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "zh": self.zh,
            "en": self.en,
            "aliases": list(self.aliases),
            "citizen": self.citizen,
        }


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_custom_categories(raw: Any) -> list[CustomCategory]:
    """`[[event.categories]]` tables (or their stored JSON) → validated custom categories."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise CheckinError("category.bad_definition", value=str(raw)[:60])
    result: list[CustomCategory] = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise CheckinError("category.bad_definition", value=str(item)[:60])
        unknown = set(item) - {"code", "zh", "en", "aliases", "citizen", "takes_place"}
        if unknown:
            raise CheckinError("category.bad_definition", value=", ".join(sorted(unknown)))
        code = _norm(str(item.get("code", ""))).lower()
        zh = _norm(str(item.get("zh", "")))
        en = _norm(str(item.get("en", "") or ""))
        aliases_raw = item.get("aliases", [])
        if not isinstance(aliases_raw, list) or not all(isinstance(a, str) for a in aliases_raw):
            raise CheckinError("category.bad_definition", value=code or zh)
        if not _CODE.match(code):
            raise CheckinError("category.bad_code", value=code)
        if code in _RESERVED:
            raise CheckinError("category.reserved_code", value=code)
        if not zh or len(zh) > _MAX_LABEL or len(en) > _MAX_LABEL:
            raise CheckinError("category.bad_label", value=code)
        citizen = item.get("citizen", False)
        # true or false, unquoted: "false" in quotes would be read as the opposite
        if not isinstance(citizen, bool) or not isinstance(item.get("takes_place", True), bool):
            raise CheckinError("category.bad_definition", value=code)
        aliases = tuple(a for a in (_norm(x) for x in aliases_raw) if a)
        for text in (zh, en, *aliases):  # no line break or escape sequence reaches a list or a mail
            check_text(text, "category_label", limit=_MAX_LABEL)
        result.append(CustomCategory(code, zh, en, aliases, citizen))
    return result


def build_categories(custom: Iterable[CustomCategory], outside_capacity: Iterable[str]) -> list[Category]:
    """The event's full list: built-in first, then its own; names must not collide."""
    outside = set(outside_capacity)
    en = catalogue("en")
    known: list[Category] = [
        Category(
            code,
            zh,
            en.get(f"category.{code}", code),
            tuple(a for a, c in _ALIASES.items() if c == code),
            citizen=code == CITIZEN,
            takes_place=code not in outside,
        )
        for code, zh in CATEGORIES.items()
    ]
    names: dict[str, str] = {}
    for cat in known:
        for name in (cat.code, cat.zh, cat.en.lower(), *cat.aliases):
            names[name] = cat.code
    labels = {cat.code: cat.label() for cat in known}
    for item in custom:
        for name in (item.code, item.zh, item.en.lower(), *item.aliases):
            if name and names.get(name, item.code) != item.code:
                other = labels.get(names[name], names[name])  # the category in words, not its code
                raise CheckinError("category.name_taken", value=name, other=other)
            if name:
                names[name] = item.code
        labels[item.code] = pick(item.zh, item.en or item.zh)
        known.append(
            Category(
                item.code,
                item.zh,
                item.en or item.zh,
                item.aliases,
                citizen=item.citizen,
                takes_place=item.code not in outside,
                builtin=False,
            )
        )
    return known


def register_labels(categories: Iterable[Category]) -> None:
    for cat in categories:
        if not cat.builtin:
            _CUSTOM_LABELS[cat.code] = {"zh": cat.zh, "en": cat.en}


def event_categories(db: Database) -> list[Category]:
    """All categories of the event in this file (built-in first, then the event's own)."""
    from checkin.event import load_event

    return load_event(db).category_list()


def citizen_codes(categories: Iterable[Category]) -> set[str]:
    return {c.code for c in categories if c.citizen}


def citizen_share(citizens: int, counted: int) -> Fraction | None:
    """The citizens' share of those counted in capacity, exactly (None while nobody is counted).

    The one place the share is computed: selection, walk-ins, the door's status line, the
    board and the report all read it from here, on `Fraction`, never on float."""
    return Fraction(citizens, counted) if counted else None


def share_met(citizens: int, counted: int, share: Fraction) -> bool:
    """Do `citizens` of `counted` make up at least `share`? (Nobody counted meets any share.)

    The same as `citizen_share(citizens, counted) >= share`, without building a Fraction per
    call (selection asks it once per candidate)."""
    return counted == 0 or citizens >= share * counted


def category_label(code: str, lang: str | None = None) -> str:
    lang = lang or current_language()
    if code in CATEGORIES or code == "unknown":
        return tr(f"category.{code}", lang=lang)
    custom = _CUSTOM_LABELS.get(code)
    if custom:
        return custom.get(lang) or custom["zh"]
    return code


def _resolve(known: Database | Sequence[Category] | None) -> Sequence[Category]:
    if known is None:
        return build_categories([], [MEDIA])
    if isinstance(known, Sequence):
        return known
    return event_categories(known)


def known_labels(categories: Sequence[Category], lang: str | None = None) -> str:
    """The categories as sign-up sheets write them: their Chinese names; in English each
    followed by its English name to read it by ("群众代表 (Citizen), 三区人才 (…)")."""
    if (lang or current_language()) == "zh":
        return "、".join(c.zh for c in categories)
    return ", ".join(f"{c.zh} ({c.en})" if c.en and c.en != c.zh else c.zh for c in categories)


def parse_category(known: Database | Sequence[Category] | None, raw: str | None) -> str:
    """A code, a Chinese or English label, or a short form → the code.

    `known` is the event's database or its category list (`event_categories(db)`); None
    means the built-in set only. An empty cell means a citizen: sign-ups from the public
    are 群众代表 unless marked. Anything else is refused with the list of known ones.
    """
    categories = _resolve(known)
    text = _norm(raw or "")
    if not text:
        return CITIZEN
    lowered = text.lower()
    for cat in categories:
        if lowered in (cat.code, cat.code.replace("_", " ")) or text == cat.zh or lowered == cat.en.lower():
            return cat.code
    for cat in categories:
        if text in cat.aliases:
            return cat.code
    raise CheckinError("category.unknown", value=text, known=known_labels(categories))
