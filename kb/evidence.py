"""Evidence for a ticket: the replays a person made, as the wizard's summary and an entry's "Copy for ticket" show them.

kb and the wizard never import replay: replay registers its source here (replay/apps.py), as the wizard registers its
fixture section and insights. With no source registered (replay not installed), there is simply no evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core import tickets

EVIDENCE_HOURS = 24  # an entry's ticket text includes the person's last replay of its code from this many hours


@dataclass(frozen=True)
class Evidence:
    """One replay, as a ticket names it."""

    url: str  # the record's permalink (a path)
    outcome: str  # its outcome, as a person reads it
    code: str  # the reason code or exception ID the answer gave ("" for none)
    when: datetime
    command: str = ""
    site: str = ""

    def fact(self, root: str = "") -> tuple[str, str]:
        """(label, value) for a ticket: the time and command, then the outcome, the code and the permalink."""
        label = f"{self.when:%Y-%m-%d %H:%M:%S} UTC"
        command = f"{tickets.code(self.command)} on {self.site}: " if self.command else ""
        code = f", {tickets.code(self.code)}" if self.code else ""
        return label, f"{command}{self.outcome}{code}. {root}{self.url}"


@dataclass(frozen=True)
class EvidenceSource:
    from_steps: Callable  # (user, step paths) -> list[Evidence], oldest first
    last_for_code: Callable  # (user, code, hours) -> Evidence | None


_sources: dict[str, EvidenceSource] = {}


def register_evidence_source(name, *, from_steps, last_for_code):
    """Add (or replace) the source ``name``."""
    _sources[name] = EvidenceSource(from_steps, last_for_code)


def from_steps(user, paths) -> list[Evidence]:
    """The replays ``user`` made from the wizard steps ``paths`` (what each source lets that user see)."""
    if user is None or not getattr(user, "is_authenticated", False) or not paths:
        return []
    found = [e for source in _sources.values() for e in source.from_steps(user, list(paths))]
    return sorted(found, key=lambda e: e.when)


def last_for_code(user, code, hours=EVIDENCE_HOURS) -> Evidence | None:
    """``user``'s last replay that answered ``code``, within ``hours``, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not code:
        return None
    found = [e for source in _sources.values() if (e := source.last_for_code(user, code, hours)) is not None]
    return max(found, key=lambda e: e.when) if found else None


def evidence_section(items, root: str = "", heading: str = "Replays made from these steps") -> tickets.Section | None:
    if not items:
        return None
    return tickets.Section(heading=heading, facts=[e.fact(root) for e in items])
