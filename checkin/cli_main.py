"""The `checkin` command line's front door: language, passphrase, the parser and the one
place errors become messages. Kept light on purpose: `checkin run` (the door) starts from
here without importing the hundred other commands, sqlite-utils or cryptography — they are
imported only when a core command is asked for (checkin/cli.py registers those).
"""

from __future__ import annotations

import argparse
import io
import re
import sqlite3
import sys
from collections.abc import Callable, Sequence
from typing import Any

from checkin import __version__
from checkin.cli_registry import Handler
from checkin.errors import CheckinError
from checkin.i18n import normalise_language, resolve_language, set_language, tr

Extension = Callable[["argparse._SubParsersAction[Any]"], None]


class _Parser(argparse.ArgumentParser):
    """argparse with our exit code 2, a translated usage error and help in the user's language
    (argparse writes its own headings, usage:, options: and the -h line, in English)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # our own -h, described in the user's language
        super().__init__(*args, **kwargs)
        self._positionals.title = tr("cli_a20.positionals")
        self._optionals.title = tr("cli_a20.options")
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=tr("cli_a20.help")
            )

    def _in_words(self, text: str) -> str:
        english = "usage: "
        if text.startswith(english):
            text = tr("cli_a20.usage") + text[len(english) :]
        for group in self._action_groups:  # argparse puts a half-width colon after each heading
            if group.title:
                text = text.replace(
                    f"\n{group.title}:\n", "\n" + tr("cli_a20.heading", title=group.title) + "\n"
                )
        return text

    def format_usage(self) -> str:
        return self._in_words(super().format_usage())

    def format_help(self) -> str:
        return self._in_words(super().format_help())

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        print(tr("cli.usage_error", prog=self.prog, message=_usage_words(message)), file=sys.stderr)
        raise SystemExit(2)


# argparse's own messages are English: the common ones, in the user's language (r18).
_ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (?P<args>.+)"), "cli_r18.required"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), "cli_r18.unrecognized"),
    (
        re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"),
        "cli_r18.choice",
    ),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "cli_r18.one"),
    (re.compile(r"argument (?P<arg>\S+): invalid \S+ value: (?P<value>.+)"), "cli_r18.invalid"),
    # a value refused in words by the option itself (checkin.cli_registry.Words)
    (re.compile(r"argument (?P<arg>\S+): (?P<why>.*[^\x00-\x7f].*)", re.S), "cli_i18.argument"),
]


def _usage_words(message: str) -> str:
    for pattern, key in _ARGPARSE_MESSAGES:
        found = pattern.fullmatch(message.strip())
        if found:
            return tr(key, **found.groupdict())
    return message


def _os_words(exc: OSError) -> str:
    """What the system refused, in the user's words (Python's own are English on Linux/macOS)."""
    import errno

    words = {
        errno.ENOENT: "cli_i18.os_missing",
        errno.EACCES: "cli_i18.os_denied",
        errno.EPERM: "cli_i18.os_denied",
        errno.ENOSPC: "cli_i18.os_full",
        errno.EROFS: "cli_i18.os_read_only",
        errno.EISDIR: "cli_i18.os_is_folder",
        errno.ENOTDIR: "cli_i18.os_not_folder",
        errno.ENAMETOOLONG: "cli_i18.os_name_too_long",
        errno.EBUSY: "cli_i18.os_busy",
        errno.EEXIST: "cli_i18.os_exists",
    }
    key = words.get(exc.errno or 0)
    return tr(key) if key else str(exc.strerror or exc)


def build_parser(extensions: Sequence[Extension] = (), *, core: bool = True) -> argparse.ArgumentParser:
    """Every command registered above, then the extensions' (screens/main.py); `core=False`:
    only the extensions' (the app's `run` and `demo`, which then start without building —
    and importing — the hundred other commands)."""
    parser = _Parser(prog="checkin", description=tr("cli.description"))
    parser.add_argument(
        "--version", action="version", version=f"checkin {__version__}", help=tr("cli_a20.version")
    )
    parser.add_argument("--lang", choices=("zh", "en"), help=tr("cli.opt.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    if core:
        from checkin.cli import cli  # every core command, registered on its handler

        cli.build(sub)
    for extend in extensions:
        extend(sub)
    return parser


def _take_option(argv: Sequence[str], option: str) -> tuple[str | None, list[str]]:
    """Take `OPTION X` or `OPTION=X` out of argv wherever it stands (before or after the command)."""
    value: str | None = None
    rest: list[str] = []
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == option and i + 1 < len(argv):
            value, skip = argv[i + 1], True
        elif arg.startswith(option + "="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return value, rest


def _split_passphrase(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take `--passphrase X` (for a sealed door pack) out of argv wherever it stands."""
    return _take_option(argv, "--passphrase")


def _split_language(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """Take `--lang X` out of argv wherever it stands (before or after the command)."""
    return _take_option(argv, "--lang")


# --lang in words: 中文 / 英文 as well as zh / en (zh_CN, en-US … too)
_LANGUAGE_WORDS = {"中文": "zh", "汉语": "zh", "简体中文": "zh", "chinese": "zh", "英文": "en", "英语": "en"}


def _command_word(argv: Sequence[str]) -> str | None:
    """The command named in argv (the first word that is not an option), if any."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(
    argv: Sequence[str] | None = None,
    extensions: Sequence[Extension] = (),
    extension_commands: Sequence[str] = (),
) -> int:
    """Run one command; CheckinError → message on stderr and exit code 2.

    `extension_commands`: commands the extensions add that need no core command beside
    them (the app's `run`, `demo`): when argv names one, only the extensions are built."""
    lang, argv = _split_language(list(sys.argv[1:] if argv is None else argv))
    if lang is not None:
        typed = lang
        lang = normalise_language(lang) or _LANGUAGE_WORDS.get(lang.strip().casefold())
        if lang is None:  # no language yet to say it in: both
            print(f"checkin：--lang 只能是 zh（中文）或 en（英文），不是“{typed}”", file=sys.stderr)
            print(f"checkin: --lang must be zh (Chinese) or en (English), not “{typed}”", file=sys.stderr)
            return 2
    set_language(resolve_language(lang))
    for stream in (sys.stdout, sys.stderr):
        # a GBK console, or output redirected to a file on Windows: a character it cannot hold
        # (a rare name, a symbol) is written as ?, never a traceback after the work was done
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")
    from checkin import packseal  # light: its ciphers are imported when a pack is opened

    passphrase, argv = _split_passphrase(argv)
    packseal.set_passphrase(passphrase)
    # a sealed pack opened with no --passphrase and no CHECKIN_PASSPHRASE: ask at a terminal
    packseal.set_prompt(packseal.terminal_prompt if sys.stdin.isatty() else None)
    parser = build_parser(extensions, core=_command_word(argv) not in extension_commands)
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    if getattr(args, "db", "") is None:
        parser.error(tr("cli.db_required"))
    try:
        return handler(args)
    except CheckinError as exc:
        print(tr("cli.error", message=exc.message()), file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        # busy, locked, full, read-only anywhere: the same clear message, never a traceback
        from checkin.storage import storage_error

        refusal = storage_error(exc, getattr(args, "db", None))
        print(tr("cli.error", message=refusal.message()), file=sys.stderr)
        return 2
    except BrokenPipeError:
        # output piped into `head` and closed early: not an error for the user
        sys.stderr.close()
        return 0
    except OSError as exc:
        # full disk, read-only folder, permission denied: say so, nothing half-written
        print(tr("cli.os_error", message=f"{_os_words(exc)} ({exc.filename or ''})"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(tr("cli.interrupted"), file=sys.stderr)
        return 130
