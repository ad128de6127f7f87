"""Messages the workers send back to the screens (past-tense names)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from checkin.board import Board
    from checkin.door import Resolved, Verdict
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


@dataclass
class ScanJudged(Message):
    """A verdict came back from the door core (already committed when admitted)."""

    verdict: Verdict
    text: str
    started: float


@dataclass
class DoorFailed(Message):
    """The core refused the action with a message a volunteer understands."""

    message: str


@dataclass
class BoardLoaded(Message):
    board: Board


@dataclass
class DoorReady(Message):
    title: str
    profile_label: str
    indexed: int


@dataclass
class CallListLoaded(Message):
    people: list[Person]


@dataclass
class ScanClassified(Message):
    """Whose code a scan is, read while another guest's form was open (nothing recorded)."""

    text: str
    pending: str
    resolved: Resolved
