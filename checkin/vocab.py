"""The closed vocabularies the program stores: one `StrEnum` each, one place to read them.

A member *is* its stored string (`PersonStatus.INVITED == "invited"`), so files written
before these types existed read the same and nothing is migrated. Every member has a label
in both catalogues under the prefix `LABEL_PREFIX` gives its type (`tests/test_vocab.py`
enumerates them all), which is how `checkin.labels` turns a code into words.
"""

from __future__ import annotations

from enum import StrEnum


class PersonStatus(StrEnum):
    """Where a person stands (people.status)."""

    SIGNED_UP = "signed_up"
    INVITED = "invited"
    WAITING = "waiting"
    DECLINED = "declined"
    REMOVED = "removed"


class Confirmation(StrEnum):
    """What the phone call found (people.confirmation)."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"


class VerdictKind(StrEnum):
    """The door's answer to a scan (scans.verdict)."""

    ADMITTED = "admitted"
    ALREADY = "already"
    REFUSED = "refused"
    NEEDS_CHECKS = "needs_checks"


class Reason(StrEnum):
    """Why a scan did not admit (scans.reason): the text is no invitation, or the person may not enter."""

    # what the scanned text is
    NOT_TOKEN = "not_token"
    OTHER_EVENT = "other_event"
    FORGED = "forged"
    REVOKED = "revoked"
    WEB_ADDRESS = "web_address"
    TICKET_ID_CARD = "ticket_id_card"
    TICKET_INVITATION = "ticket_invitation"
    NOT_ON_LIST = "not_on_list"
    TWO_ID_NUMBERS = "two_id_numbers"  # two different ID numbers in one read: nobody is picked
    UNKNOWN_PERSON = "unknown_person"
    # who it is
    ALREADY = "already"
    DECLINED = "declined"
    REMOVED = "removed"
    NOT_INVITED = "not_invited"
    CHECK_FAILED = "check_failed"
    ID_MISMATCH = "id_mismatch"


class ReviewState(StrEnum):
    """Where an application stands in review (people.review; NULL when the event has no review)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class CheckValue(StrEnum):
    """A kept answer to an entry check whose answers are fixed (check_results.value)."""

    SEEN = "seen"
    MATCHED = "matched"
    MISMATCH = "mismatch"
    YES = "yes"
    NO = "no"


class SuggestionStatus(StrEnum):
    """Where a suggestion is on its way to an answer (suggestions.status)."""

    PENDING = "pending"
    ASSIGNED = "assigned"
    TRANSFERRED = "transferred"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REPLIED = "replied"


class Outcome(StrEnum):
    """What became of a resolved suggestion (suggestions.outcome)."""

    ADOPTED = "adopted"
    PARTLY_ADOPTED = "partly_adopted"
    NOT_ADOPTED = "not_adopted"


class Source(StrEnum):
    """Where a suggestion came from (suggestions.source)."""

    SURVEY = "survey"
    FORUM = "forum"
    OTHER = "other"


# each vocabulary → the catalogue table its labels live in (`prefix.member`)
class Method(StrEnum):
    """How a guest came through the door (scans.method, checkins.method)."""

    SCAN = "scan"  # an invitation's QR code
    LOOKUP = "lookup"  # found by name, number or phone
    WALKIN = "walkin"  # registered on the spot
    OVERRIDE = "override"  # let in by a supervisor
    IDCARD = "idcard"  # the resident ID card as the ticket


LABEL_PREFIX: dict[type[StrEnum], str] = {
    Method: "labels.method",
    PersonStatus: "status",
    Confirmation: "confirmation",
    VerdictKind: "verdict",
    Reason: "verdict",
    ReviewState: "review.state",
    CheckValue: "labels.check_value",
    SuggestionStatus: "ledger.status",
    Outcome: "ledger.outcome",
    Source: "ledger.source",
}


def codes(*vocabularies: type[StrEnum]) -> tuple[str, ...]:
    """The stored strings of one or more vocabularies, in order, each once (for choice lists)."""
    return tuple(dict.fromkeys(str(member) for vocabulary in vocabularies for member in vocabulary))
