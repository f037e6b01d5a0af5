"""The staff insights page (/insights/) gathers its sections from every app through this registry, as the review
queue gathers its signals (kb.editing.review.register_review_source): kb registers what people searched for and what
readers said of entries; the wizard registers how its flows are used. kb imports no other app."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class InsightsSection:
    name: str
    template: str  # rendered with the context ``context(days)`` returns
    context: Callable[[int], dict[str, Any]]
    position: int = 100  # sections are shown in this order
    stylesheet: str = ""  # a static file the section needs, linked once in the page's head


_sections: dict[str, InsightsSection] = {}


def register_insights_section(name, template, context, position=100, *, stylesheet=""):
    """Add (or replace) the section ``name``: ``template`` rendered with ``context(days)``."""
    _sections[name] = InsightsSection(name, template, context, position, stylesheet)


def insights_sections():
    return sorted(_sections.values(), key=lambda s: (s.position, s.name))


def period(value):
    """The period the page shows, in days: one of PERIODS, DEFAULT_DAYS for anything else."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS
