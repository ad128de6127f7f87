"""The command line is declared next to its handlers (checkin/cli_registry.py): every command
has its help in both languages, and no handler is overridden from outside."""

from __future__ import annotations

import argparse
import re

import pytest

from checkin.cli import build_parser
from checkin.cli_registry import Registry, opt
from checkin.i18n import set_language
from screens.main import add_app_commands

CATALOGUE_KEY = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)+$")  # what tr() shows for a missing entry


def commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((" ".join((*prefix, name)), sub))
                found += commands(sub, (*prefix, name))
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help_is_complete_in_both_languages(lang: str) -> None:
    set_language(lang)
    parser = build_parser([add_app_commands])
    found = commands(parser)
    assert len(found) > 60
    for path, sub in found:
        assert sub.description and not CATALOGUE_KEY.match(sub.description), path
        sub.format_help()  # every help text formats (no stray % or missing value)
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction) or action.dest == "help":
                continue
            assert action.help and not CATALOGUE_KEY.match(action.help), (path, action.dest)


def test_every_command_has_one_handler_declared_once() -> None:
    parser = build_parser([add_app_commands])
    for path, sub in commands(parser):
        has_actions = any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
        assert has_actions or sub.get_default("handler") is not None, path
    survey = dict(commands(parser))["survey"]
    assert survey.get_default("handler").__module__ == "screens.main"  # the keying screen, declared there


def test_a_handler_is_never_overridden() -> None:
    core, app = Registry(), Registry()
    core.group("survey", "cli.survey.help")(lambda args: 0)
    app.action("survey", opt("--db", help="cli.opt.db"))(lambda args: 1)
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    core.build(sub)
    with pytest.raises(ValueError, match="overridden"):
        app.build(sub)
