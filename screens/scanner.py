"""Scanner input as a stream, recognised at the application level.

A USB scanner (or an ID-card reader sold as "键盘模拟") is a keyboard that types its whole
payload in one burst, far faster than a person, and ends it with Enter, Tab or nothing.
`BurstRecogniser` tells such bursts from typing by the time between keys; `ScannerApp`
holds every printable key for a moment, and either hands the keys on as typing (to
whatever has the focus, in order) or delivers the whole burst as one scan to the screen
on top through `receive_scan`. A scan therefore never lands in a text box, never answers
a form item and never presses a screen's keys, whatever has the focus.

The rules for what a screen does with a scan live with each screen (`ScanReceiver`); a
screen without `receive_scan` has the scan refused with a message, or switched to the
scan screen by the app (see `CheckinApp.route_scan`). Nothing here knows about the door:
the roll call on the bus reuses it as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Generic, Protocol, TypeVar, runtime_checkable

from textual import _time, events
from textual.app import App
from textual.timer import Timer

from screens.plain_notify import PlainNotify

TERMINATORS = frozenset({"enter", "tab", "ctrl+j", "ctrl+m"})
BACKLOG = 0.002  # keys this close together were read from the terminal in one go
BURST_KEYS = 3  # this many keys in a row at scanner speed: no person types like that

Item = TypeVar("Item")


@dataclass(frozen=True)
class ScannerSettings:
    """Thresholds, all configurable (`checkin run --scan-gap-ms … --scan-min-length …`).

    gap: the longest pause between two keys of one burst (scanners: 1–10 ms a key; people
        rarely type four keys in a row under 30 ms apart).
    min_length: a burst shorter than this is typing (survey barcodes have 6 characters,
        ID numbers 18, invitations 130).
    grace: an Enter or Tab this soon after a burst is the scanner's terminator (some
        scanners send two) and is swallowed with it.
    settle: once `BURST_KEYS` keys have come at scanner speed, a burst is under way, and
        only this much silence ends it. On a busy laptop the thread that reads the
        terminal can be held back for tens of milliseconds in the middle of a 130-character
        invitation while the screen keeps running: the rest of the payload then arrives
        late. No one re-aims a scanner at another code this fast, so the keys after such a
        pause are the same read (seen in CI: one invitation refused as two halves).
    incomplete, patience: a burst that `incomplete(text)` says is only the first part of a
        payload (an invitation cut short: its alphabet, fewer than its 130 characters)
        waits up to `patience` of silence for the rest, and a run that then arrives at
        scanner speed (its keys within `gap`) continues it. Under load the reader was seen
        held back for more than `settle` (the tmux simulator: an invitation refused as
        two). Typing never forms a burst, so a person's keys are never held for longer;
        a complete read ends after `settle` as before.
    """

    gap: float = 0.03
    min_length: int = 6
    grace: float = 0.25
    settle: float = 0.2
    patience: float = 1.0
    incomplete: Callable[[str], bool] | None = field(default=None, compare=False)

    @classmethod
    def from_ms(cls, gap_ms: float | None, min_length: int | None) -> ScannerSettings:
        defaults = cls()
        return cls(
            gap=(gap_ms / 1000) if gap_ms is not None else defaults.gap,
            min_length=min_length if min_length is not None else defaults.min_length,
        )

    def expecting(self, incomplete: Callable[[str], bool]) -> ScannerSettings:
        """These settings, waiting longer for the rest of what `incomplete` says is cut short."""
        return replace(self, incomplete=self.incomplete or incomplete)


@dataclass
class Replay(Generic[Item]):
    """Keys that were typing after all: hand them on, in order."""

    items: list[Item]


@dataclass
class Scan:
    """One burst: the scanned text and how it ended (enter, tab, or None for silence)."""

    text: str
    terminator: str | None


@dataclass
class BurstRecogniser(Generic[Item]):
    """Pure timing logic, no Textual: keys in (with their times), replays and scans out."""

    settings: ScannerSettings = field(default_factory=ScannerSettings)
    held: list[tuple[str, Item]] = field(default_factory=list)
    last_at: float = 0.0
    burst_end: float | None = None
    # where a pause fell inside the held keys, until the next key tells whether the pause
    # was the scanner's (the keys after it are a new run) or the computer's own stall (the
    # keys after it were waiting in the terminal and come all at once: one run after all)
    split: int | None = None
    # how close the key after the pause's first key must follow for one run: keys read
    # together (BACKLOG), or, after a pause in a read cut short, keys at scanner speed (gap)
    split_within: float = BACKLOG

    @property
    def in_burst(self) -> bool:
        """Enough keys held at scanner speed that a pause is the computer's, not the end."""
        return len(self.held) >= BURST_KEYS

    @property
    def cut_short(self) -> bool:
        """A burst under way that is only the first part of a payload (`settings.incomplete`)."""
        incomplete = self.settings.incomplete
        return (
            self.in_burst
            and self.split is None
            and incomplete is not None
            and incomplete("".join(ch for ch, _ in self.held))
        )

    @property
    def quiet(self) -> float:
        """How long a silence ends what is held."""
        if not self.in_burst:
            return self.settings.gap
        return self.settings.patience if self.cut_short else self.settings.settle

    @property
    def deadline(self) -> float | None:
        """When silence ends the held keys, if any are held."""
        return self.last_at + self.quiet if self.held else None

    def _is_scan(self, held: list[tuple[str, Item]]) -> bool:
        return len(held) >= self.settings.min_length and scanner_could_type("".join(ch for ch, _ in held))

    def _part(self, held: list[tuple[str, Item]]) -> list[Replay[Item] | Scan]:
        if not held:
            return []
        if self._is_scan(held):
            self.burst_end = self.last_at
            return [Scan(_one_read("".join(ch for ch, _ in held)), None)]
        return [Replay([item for _, item in held])]

    def _conclude(self) -> list[Replay[Item] | Scan]:
        held, split, self.held, self.split = self.held, self.split, [], None
        if split is None:
            return self._part(held)
        return self._part(held[:split]) + self._part(held[split:])

    def _settle_split(self, at: float) -> list[Replay[Item] | Scan]:
        """A key arrived after the one that followed a pause: decide what the pause was."""
        if self.split is None or len(self.held) != self.split + 1:
            return []
        split, self.split = self.split, None
        if at - self.last_at <= self.split_within:
            return []  # read together (or the rest of a read cut short): the pause was a stall; one run
        before, self.held = self.held[:split], self.held[split:]
        return self._part(before)

    def silence(self, now: float) -> list[Replay[Item] | Scan]:
        """The timer fired: held keys that have waited long enough are concluded."""
        if self.held and now - self.last_at >= self.quiet:
            return self._conclude()
        return []

    def flush(self) -> list[Replay[Item] | Scan]:
        """Conclude now, as if the silence had already passed (tests; shutting down)."""
        return self._conclude()

    def feed(self, key: str, character: str | None, at: float, item: Item) -> list[Replay[Item] | Scan]:
        out: list[Replay[Item] | Scan] = self._settle_split(at)
        printable = character is not None and len(character) == 1 and character.isprintable()
        takes = printable and key not in TERMINATORS
        pause = at - self.last_at
        carries_on = (takes or key in TERMINATORS) and self.in_burst and pause <= self.settings.settle
        if self.held and pause > self.settings.gap and not carries_on:
            if takes and self.split is None:
                waited = self.cut_short and pause <= self.settings.patience
                self.split_within = self.settings.gap if waited else BACKLOG
                self.split = len(self.held)  # decided by the next key
            else:
                out += self._conclude()  # the pause before this key ended the earlier ones
        if takes:
            assert character is not None
            self.held.append((character, item))
            self.last_at = at
            return out
        if key in TERMINATORS:
            if self.held:
                if self._is_scan(self.held):
                    text = _one_read("".join(ch for ch, _ in self.held))
                    self.held = []
                    self.burst_end = at
                    return [*out, Scan(text, key)]
                items = [item for _, item in self.held]
                self.held = []
                return [*out, Replay([*items, item])]
            if self.burst_end is not None and at - self.burst_end <= self.settings.grace:
                self.burst_end = at  # a second terminator from the same scanner
                return out
            return [*out, Replay([item])]
        # any other key (Esc, arrows, F-keys, Backspace) ends a burst and passes at once
        out += self._conclude()
        self.burst_end = None
        return [*out, Replay([item])]


_NOT_ASCII = re.compile(r"[^\x20-\x7e]")
_ID_NUMBER_RUN = re.compile(r"[0-9０-９]{17}[0-9０-９Xx]")


def scanner_could_type(text: str) -> bool:
    """Whether a fast run of keys can be a scanner's. A barcode scanner or an ID-card reader
    is a keyboard that types ASCII (invitations, form numbers, ID numbers, web addresses); a
    run with Chinese in it is a Chinese input method committing a phrase at once ("希望增加停
    车位" typed in the suggestion box, a reason in a dialog): typing, however fast — unless an
    ID number is in it (a reader's line with the holder's name)."""
    return not _NOT_ASCII.search(text) or bool(_ID_NUMBER_RUN.search(text))


def _one_read(text: str) -> str:
    """A scanner without a terminator that read twice within the gap sends one run of the
    same payload twice: that is one scan (no real code is a payload written twice)."""
    half = len(text) // 2
    if len(text) % 2 == 0 and text[:half] == text[half:]:
        return text[:half]
    return text


@runtime_checkable
class ScanReceiver(Protocol):
    """A screen (or dialog) that takes scans: it decides, and says so on screen."""

    def receive_scan(self, text: str) -> None: ...


class ScannerApp(PlainNotify, App[None]):
    """An App whose keyboard input passes through a `BurstRecogniser`.

    Subclasses implement `route_scan(text)`; the default offers the scan to the screen
    on top (`receive_scan`) and otherwise refuses it with the bell and `scan_refused()`.
    """

    scanner_settings = ScannerSettings()

    def __init__(self, *args: object, scanner: ScannerSettings | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.scanner: BurstRecogniser[events.Key] = BurstRecogniser(scanner or self.scanner_settings)
        self._silence_timer: Timer | None = None
        self._stalled = False
        self.scans_seen = 0
        self.on_scan: Callable[[str, str | None], None] | None = None  # a hook for tests and benchmarks

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            self._stalled = False
            outcome = self.scanner.feed(event.key, event.character, event.time, event)
            await self._apply(outcome)
            self._arm_silence()
            return
        await super().on_event(event)

    def _arm_silence(self) -> None:
        if self._silence_timer is not None:
            self._silence_timer.stop()
            self._silence_timer = None
        deadline = self.scanner.deadline
        if deadline is not None:
            delay = max(0.001, deadline - _time.get_time())
            self._silence_timer = self.set_timer(delay, self._silence)

    async def _silence(self) -> None:
        """The silence timer fired. It runs beside the app's queue of messages: keys the
        terminal reader has handed over already may still wait there behind a busy screen
        (seen in the tmux simulator: an invitation scanned in the look-up dialog concluded
        half-way and refused as two). So the decision is queued behind them."""
        self._silence_timer = None
        self.call_later(self._silence_now)

    async def _silence_now(self) -> None:
        if self._silence_timer is not None:
            return  # keys that were queued came in and set a new deadline
        now = _time.get_time()
        deadline = self.scanner.deadline
        if deadline is not None and now - deadline > self.scanner.settings.gap and not self._stalled:
            # the timer itself is late: this process was stalled, and keys may be waiting in
            # the terminal; give them one more gap to arrive before calling it silence
            self._stalled = True
            self._silence_timer = self.set_timer(self.scanner.settings.gap, self._silence)
            return
        self._stalled = False
        await self._apply(self.scanner.silence(now if deadline is None else max(now, deadline)))
        self._arm_silence()

    async def scanner_silence(self) -> None:
        """Act as if the keyboard went quiet now (a person pausing between keys)."""
        await self._apply(self.scanner.flush())
        self._arm_silence()

    async def _apply(self, outcome: list[Replay[events.Key] | Scan]) -> None:
        for step in outcome:
            if isinstance(step, Scan):
                self.scans_seen += 1
                if self.on_scan is not None:
                    self.on_scan(step.text, step.terminator)
                self.route_scan(step.text)
            else:
                for key in step.items:
                    await super().on_event(key)

    def route_scan(self, text: str) -> None:
        receiver = self.screen
        if isinstance(receiver, ScanReceiver):
            receiver.receive_scan(text)
            return
        self.bell()
        self.notify(self.scan_refused(), severity="warning")

    def scan_refused(self) -> str:
        return "A scan is not taken here."
