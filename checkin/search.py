"""Look-up at the door: by name, pinyin initials or full pinyin, phone or ID last four.

Keys are precomputed into `people_search` (an indexed prefix search), so a look-up stays
fast with 100,000 invitees. Surnames with several readings (单 shàn/dān, 曾 zēng/céng …)
are findable by each.
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass

from sqlite_utils import Database

from checkin.storage import write_transaction

# Surnames whose reading as a surname differs from the everyday one.
SURNAME_READINGS = {
    "单": ["shan"], "解": ["xie"], "仇": ["qiu"], "曾": ["zeng"], "区": ["ou"],
    "朴": ["piao"], "查": ["zha"], "盖": ["ge"], "覃": ["qin"], "尉": ["yu"],
    "乐": ["yue"], "召": ["shao"], "缪": ["miao"], "翟": ["zhai"], "繁": ["po"],
    "种": ["chong"], "员": ["yun"], "华": ["hua"], "任": ["ren"], "沈": ["shen"],
}  # fmt: skip
MAX_COMBINATIONS = 16
MAX_RESULTS = 50


def _readings(name: str) -> list[list[str]]:
    """Pinyin per character: every reading of the surname, the common one of the rest."""
    if not name:
        return []
    from pypinyin import Style, lazy_pinyin, pinyin  # 0.2 s of dictionaries: only when indexing

    surname = [
        r.lower()
        for options in pinyin(name[0], style=Style.NORMAL, heteronym=True, errors="ignore")
        for r in options
    ]
    if name[0] in SURNAME_READINGS:
        surname = SURNAME_READINGS[name[0]] + surname
    rest = [[r.lower()] for r in lazy_pinyin(name[1:], errors="ignore")]
    return ([list(dict.fromkeys(surname))] if surname else []) + rest


def search_keys(name: str, phone: str | None, id_masked: str) -> set[str]:
    """Every key a volunteer might type for this person."""
    keys = {unicodedata.normalize("NFKC", name).lower().replace(" ", "")}
    readings = _readings(name)
    for combo in itertools.islice(itertools.product(*readings), MAX_COMBINATIONS):
        if combo:
            keys.add("".join(combo))
            keys.add("".join(syllable[0] for syllable in combo))
    # the given name alone (伟丽, weili, wl): volunteers often hear only that
    given = unicodedata.normalize("NFKC", name).replace(" ", "")[1:].lower()
    if len(given) >= 1 and len(readings) >= 2:
        keys.add(given)
        given_readings = readings[1:]
        keys.add("".join(r[0] for r in given_readings))
        if len(given_readings) >= 2:
            keys.add("".join(r[0][0] for r in given_readings))
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if len(digits) >= 4:
        keys.add(digits[-4:])
    keys.add(id_masked[-4:].lower())
    return {k for k in keys if k}


INDEX_BATCH = 1000


def ensure_index(db: Database) -> int:
    """Index everyone not yet indexed (after an import or a walk-in); returns how many.

    Works in small transactions so that a door scanning on the same file never waits
    long for the write lock: the keys (the pinyin, the slow part) are worked out before
    each transaction, which only writes them.
    """
    rows = db.execute(
        "SELECT number, name, phone, id_masked FROM people "
        "WHERE number NOT IN (SELECT DISTINCT number FROM people_search)"
    ).fetchall()
    for start in range(0, len(rows), INDEX_BATCH):
        batch = rows[start : start + INDEX_BATCH]
        keyed = [(number, search_keys(name, phone, masked)) for number, name, phone, masked in batch]
        with write_transaction(db):
            # another program on the same file may have indexed some of them meanwhile
            marks = ",".join("?" * len(batch))
            done = {
                r[0]
                for r in db.execute(
                    f"SELECT DISTINCT number FROM people_search WHERE number IN ({marks})",
                    [row[0] for row in batch],
                )
            }
            pairs = [(key, number) for number, keys in keyed if number not in done for key in keys]
            db.conn.executemany("INSERT INTO people_search (key, number) VALUES (?, ?)", pairs)
    return len(rows)


def look_up(db: Database, query: str, limit: int = MAX_RESULTS) -> list[str]:
    """Numbers of the people whose keys start with the query (best: exact matches first)."""
    text = unicodedata.normalize("NFKC", query).strip().lower().replace(" ", "")
    if not text:
        return []
    upper = text.upper()
    direct = db.execute("SELECT number FROM people WHERE number = ?", [upper]).fetchall()
    # prefix range on the index: key >= text AND key < text + U+FFFF
    rows = db.execute(
        "SELECT number, MIN(key = ?) FROM people_search WHERE key >= ? AND key < ? "
        "GROUP BY number ORDER BY MIN(key <> ?), number LIMIT ?",
        [text, text, text + "\uffff", text, limit],
    ).fetchall()
    found = [r[0] for r in direct] + [r[0] for r in rows]
    return list(dict.fromkeys(found))[:limit]


@dataclass(frozen=True)
class Found:
    """One look-up result as the door shows it (ID number masked; inside since when, if so)."""

    number: str
    name: str
    category: str
    status: str
    phone: str | None
    id_masked: str
    inside_at: str | None


def look_up_people(db: Database, query: str, limit: int = MAX_RESULTS) -> list[Found]:
    """`look_up`'s people, best match first, read in one query."""
    numbers = look_up(db, query, limit)
    if not numbers:
        return []
    marks = ", ".join("?" for _ in numbers)
    rows = db.execute(
        "SELECT p.number, p.name, p.category, p.status, p.phone, p.id_masked, MIN(c.at) FROM people p "
        f"LEFT JOIN live_checkins c ON c.number = p.number WHERE p.number IN ({marks}) GROUP BY p.number",
        numbers,
    ).fetchall()
    found = {row[0]: Found(*row) for row in rows}
    return [found[n] for n in numbers if n in found]
