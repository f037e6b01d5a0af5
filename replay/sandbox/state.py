"""The sandbox's settings and state: its site paths, the accounts, meetings, sessions and tickets."""

from __future__ import annotations

import dataclasses
import threading
import time

PARTNER_ID = "4242"
SUPPORTED_MEETING_TYPES = ("1", "2")
DEFAULT_DURATION = 60
MAX_DURATION = 40
FIRST_MEETING_KEY = "621018655"


@dataclasses.dataclass(frozen=True)
class SiteSettings:
    """How one sandbox site path behaves."""

    form: str = "href"  # href | replace | var | 302 | xml
    autologin: bool = True
    api: bool = True
    retired: bool = False  # the API is gone: answers shaped like retirement (docs/sandbox.md)


SITES = {
    "sandbox": SiteSettings(),
    "noauto": SiteSettings(autologin=False),
    "noapi": SiteSettings(api=False),
    "retired": SiteSettings(retired=True),
}
FORMS = ("href", "replace", "var", "302", "xml")


def site_settings(segment):
    """The settings of a site path segment (``sandbox``, ``noauto-302`` …), or None when there is no such site."""
    name, _, form = segment.partition("-")
    if name not in SITES or (form and form not in FORMS):
        return None
    return dataclasses.replace(SITES[name], form=form or "href")


@dataclasses.dataclass
class SandboxConfig:
    session_idle_seconds: float = 30 * 60
    slow_seconds: float = 30.0
    huge_bytes: int = 50 * 1024 * 1024
    max_duration: int = MAX_DURATION


@dataclasses.dataclass
class Account:
    wid: str
    password: str
    email: str
    first_name: str
    last_name: str
    admin: bool = False
    meeting_type: str = "1"


@dataclasses.dataclass
class Meeting:
    key: str
    name: str
    host: str
    password: str
    duration: int
    meeting_type: str
    in_progress: bool = False


@dataclasses.dataclass
class Session:
    site: str
    wid: str
    last_seen: float


class SandboxState:
    """Accounts, meetings, sessions and tickets. Thread-safe through one lock."""

    def __init__(self, config: SandboxConfig):
        self.config = config
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.accounts = {
            "host1": Account("host1", "Sandbox-pass1", "host1@sandbox.example", "Host", "One", admin=True),
            "user2": Account("user2", "Sandbox-pass2", "user2@sandbox.example", "User", "Two"),
        }
        self.meetings = {
            FIRST_MEETING_KEY: Meeting(FIRST_MEETING_KEY, "Sandbox weekly", "host1", "Meet-pass1", 30, "1"),
        }
        self.next_key = int(FIRST_MEETING_KEY) + 1
        self.sessions: dict[str, Session] = {}
        self.session_tickets: dict[str, str] = {}  # XML API sessionTicket -> wid
        self.login_tickets: dict[str, str] = {}  # GetLoginTicket ticket -> wid (usable once as TK)
        self.hits = 0  # requests served since the last reset (tests check that nothing was sent)
        # The switch that turns a working site into a failing one ("it worked before"): every URL API command of every
        # site path then answers DoNotSupportAPI, as a site whose API was turned off by its administrator would.
        self.api_switched_off = False

    def new_meeting_key(self):
        key = str(self.next_key)
        self.next_key += 7
        return key

    def session_for(self, site, token):
        """The live session of this cookie, or None. Touching it renews its idle time."""
        if not token:
            return None
        session = self.sessions.get(token)
        if session is None or session.site != site:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.config.session_idle_seconds:
            del self.sessions[token]
            return None
        session.last_seen = now
        return session

    def find_email(self, email):
        email = (email or "").lower()
        return next((a for a in self.accounts.values() if a.email.lower() == email), None)
