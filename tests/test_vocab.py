"""Every member of every closed vocabulary has words in both languages; members are the stored strings."""

from __future__ import annotations

import inspect
from enum import StrEnum

from checkin import labels, vocab
from checkin.i18n import catalogue


def _vocabularies() -> list[type[StrEnum]]:
    return [
        obj
        for obj in vars(vocab).values()
        if inspect.isclass(obj) and issubclass(obj, StrEnum) and obj is not StrEnum
    ]


def test_every_vocabulary_says_where_its_labels_are() -> None:
    found = _vocabularies()
    assert len(found) >= 5
    assert sorted(v.__name__ for v in found if v not in vocab.LABEL_PREFIX) == []


def _missing(prefixes: dict[type[StrEnum], str]) -> list[str]:
    return [
        f"{lang}: {vocabulary.__name__}.{member.name} ({prefix}.{member})"
        for lang in ("zh", "en")
        for vocabulary, prefix in prefixes.items()
        for member in vocabulary
        if f"{prefix}.{member}" not in catalogue(lang)
    ]


def test_every_member_has_a_label_in_both_languages() -> None:
    assert _missing(vocab.LABEL_PREFIX) == []


def test_a_member_without_a_label_is_reported() -> None:
    class Probe(StrEnum):
        INVITED = "invited"
        NEW = "never_labelled"

    assert _missing({Probe: "status"}) == [
        "zh: Probe.NEW (status.never_labelled)",
        "en: Probe.NEW (status.never_labelled)",
    ]


def test_labels_know_every_member() -> None:
    for vocabulary, prefix in vocab.LABEL_PREFIX.items():
        kinds = [kind for kind, (p, _codes) in labels.KINDS.items() if p == prefix]
        assert kinds, vocabulary.__name__
        assert set(vocabulary) <= set(labels.KINDS[kinds[0]][1]), vocabulary.__name__


def test_members_are_the_stored_strings() -> None:
    assert vocab.PersonStatus.INVITED == "invited"
    assert f"{vocab.Reason.NOT_TOKEN}" == "not_token"
    assert vocab.codes(vocab.VerdictKind) == ("admitted", "already", "refused", "needs_checks")
    assert vocab.codes(vocab.VerdictKind, vocab.Reason).count("already") == 1
