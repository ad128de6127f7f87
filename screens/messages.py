"""Messages the workers send back to the screens (past-tense names)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from checkin.event import Event
from checkin.people import Person


@dataclass
class PeopleLoaded(Message):
    event: Event
    people: list[Person]
    counts: dict[str, int]
    confirmed: int


@dataclass
class LoadFailed(Message):
    message: str
