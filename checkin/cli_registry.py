"""A small registry for the command line: each command's options are declared on its handler.

    cli = Registry()
    cli.group("keys", "cli.keys.help")

    @cli.command("keys list", "cli.keys.list", DB, JSON)
    def cmd_keys_list(args): ...

Help texts are catalogue keys, read when the parser is built (after `--lang` is known), so
`--help` is complete in both languages. Commands appear in `--help` in the order they are
registered; `hook` puts commands built elsewhere (the county's, the roll call's) at its place.
Built on argparse: `build(sub)` adds everything to a subparsers action.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from checkin.i18n import tr

Handler = Callable[[argparse.Namespace], int]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True)
class Opt:
    """One `add_argument`: its flags (or positional name), a catalogue key for its help, the rest."""

    flags: tuple[str, ...]
    help: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def add_to(self, parser: argparse._ActionsContainer) -> None:
        kwargs = dict(self.kwargs)
        kind = kwargs.pop("labels", None)
        other = kwargs.pop("or_else", None)  # a metavar: any other value is taken as typed (a file)
        if kind is not None:  # a closed set: its words are accepted and shown, its codes still work
            words = Words(kind, tuple(kwargs.pop("choices") if other else kwargs["choices"]), other)
            kwargs["type"] = words
            kwargs.setdefault("metavar", words.metavar())
        parser.add_argument(*self.flags, help=tr(self.help), **kwargs)


class Words:
    """An option's value from a closed set given in words or as the stored code: `--to 交办`,
    `--to Assigned` and `--to assigned` are one value; anything else is refused in words,
    listing the words (the codes are never shown)."""

    def __init__(self, kind: str, codes: tuple[str, ...], other: str | None = None) -> None:
        self.kind, self.codes, self.other = kind, codes, other

    def _label(self, code: str, lang: str | None = None) -> str:
        from checkin.labels import label  # on first use: the command line starts without it

        return label(self.kind, code, lang)

    def metavar(self) -> str:
        return "|".join([*(self._label(code) for code in self.codes), *([self.other] if self.other else [])])

    def __call__(self, text: str) -> str:
        if text in self.codes:
            # the code itself (an option's default is one): no words to look up, and no
            # catalogue of the other language to read (`checkin run` starts sooner)
            return text
        wanted = text.strip().casefold()
        words_of = {}
        for code in self.codes:
            words = {code.casefold(), *(self._label(code, lang).casefold() for lang in ("zh", "en"))}
            words |= {w.removeprefix("已") for w in words if len(w) > 2}  # 办结 = 已办结
            if wanted in words or (wanted.startswith("按") and wanted[1:] in words):  # 按单位 = 单位
                return code
            words_of[code] = words
        # the start of one value's word only: 未通过 = 未通过审核, 通过 = 已通过审核
        starting = [code for code, words in words_of.items() if any(w.startswith(wanted) for w in words)]
        if len(wanted) >= 2 and len(starting) == 1:
            return starting[0]
        if self.other:
            return text  # not one of the set: the command takes it as what it is (a file's path)
        listed = tr("cli_i18.choice_sep").join(self._label(code) for code in self.codes)
        raise argparse.ArgumentTypeError(tr("cli_i18.choice_words", value=text, choices=listed))


@dataclass(frozen=True)
class OneOf:
    """Options of which only one may be given (`--received` or `--not-received`)."""

    options: tuple[Opt, ...]
    required: bool = False

    def add_to(self, parser: argparse._ActionsContainer) -> None:
        group = parser.add_mutually_exclusive_group(required=self.required)
        for option in self.options:
            option.add_to(group)


def one_of(*options: Opt, required: bool = False) -> OneOf:
    return OneOf(options, required)


def opt(*flags: str, help: str, **kwargs: Any) -> Opt:
    return Opt(flags, help, kwargs)


# the options most commands share
DB = opt("--db", required=True, metavar="PATH", help="cli.opt.db")
JSON = opt("--json", action="store_true", help="cli.opt.json")
OPERATOR = opt("--operator", default="office", metavar="NAME", help="cli.scan.operator")
PASS = opt("--pass", dest="pass_no", type=int, choices=(1, 2), default=1, help="cli.survey.pass")


@dataclass
class _Entry:
    path: tuple[str, ...]
    help: str = ""
    options: tuple[Opt | OneOf, ...] = ()
    handler: Handler | None = None
    actions: tuple[str, str] | None = None  # a group: (dest, metavar) of its sub-commands
    hook: Callable[[argparse._SubParsersAction[Any]], None] | None = None
    description: str = ""  # a longer text for the command's own --help (its help, if none)


class Registry:
    """Commands in the order they are declared; `build` turns them into argparse parsers."""

    def __init__(self) -> None:
        self.entries: list[_Entry] = []

    def group(
        self, name: str, help: str, *options: Opt | OneOf, dest: str | None = None, metavar: str = "ACTION"
    ) -> Callable[[H], H]:
        """A command with sub-commands (`keys rotate`, `keys list` …). Used as a decorator, the
        handler runs when no sub-command is given (`checkin invites --db F`), with these options."""
        path = tuple(name.split())
        entry = _Entry(path, help, options, None, (dest or f"{path[-1]}_command", metavar))
        self.entries.append(entry)

        def handles(handler: H) -> H:
            entry.handler = handler
            return handler

        return handles

    def command(self, name: str, help: str, *options: Opt | OneOf, description: str = "") -> Callable[[H], H]:
        """Decorator: `name` ("survey add") runs the handler, with these options."""

        def register(handler: H) -> H:
            self.entries.append(_Entry(tuple(name.split()), help, options, handler, description=description))
            return handler

        return register

    def action(self, name: str, *options: Opt | OneOf) -> Callable[[H], H]:
        """Decorator: what a group declared elsewhere does when no sub-command is given
        (`checkin survey --db F` opens the keying screen), with its options."""

        def register(handler: H) -> H:
            self.entries.append(_Entry(tuple(name.split()), "", options, handler))
            return handler

        return register

    def hook(self, group: str, add: Callable[[argparse._SubParsersAction[Any]], None]) -> None:
        """Commands another module builds itself, added here in the order (`group` "" = top)."""
        self.entries.append(_Entry(tuple(group.split()), hook=add))

    def build(self, sub: argparse._SubParsersAction[Any]) -> None:
        parser_class: type[argparse.ArgumentParser] = sub._parser_class
        groups: dict[tuple[str, ...], argparse._SubParsersAction[Any]] = {(): sub}
        for entry in self.entries:
            if entry.hook is not None:
                entry.hook(groups[entry.path])
                continue
            parent = groups[entry.path[:-1]]
            name = entry.path[-1]
            if not entry.help:  # an action for a group declared by another registry
                if name not in parent.choices:
                    continue  # that group is not being built (`checkin run` builds only its own)
                parser = parent.choices[name]
                if parser.get_default("handler") is not None:
                    raise ValueError(f"{' '.join(entry.path)} has a handler already: none is overridden")
            else:
                described = tr(entry.description or entry.help)
                parser = parent.add_parser(name, help=tr(entry.help), description=described)
            for option in entry.options:
                option.add_to(parser)
            if entry.handler is not None:
                parser.set_defaults(handler=entry.handler)
            if entry.actions is not None:
                dest, metavar = entry.actions
                groups[entry.path] = parser.add_subparsers(
                    dest=dest, metavar=metavar, parser_class=parser_class
                )
            elif any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
                groups[entry.path] = next(
                    a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
                )
