"""Commands named in a query, in any written form (``AT=SU``, ``p.php?AT=SU``, ``SU``, "sign up", "login",
``user.GetUser``), and the entries those commands can answer with."""

import re

from kb import generation
from kb.generation import GenerationCache
from kb.models import Cause, Command, Confidence, Entry
from kb.search.text import words
from webex.commandkeys import is_url_key, key_parts

COMMAND_SCAN = 500  # cause links of a command read before sorting its entries by code

# Command names as people say them, beyond the command's own name in the KB.
COMMAND_WORDS = {
    "login": "LI",
    "logon": "LI",
    "signin": "LI",
    "signon": "LI",
    "logout": "LO",
    "logoff": "LO",
    "signout": "LO",
    "signoff": "LO",
    "signup": "SU",
    "newuser": "SU",
    "createuser": "SU",
    "register": "SU",
    "edituser": "EU",
    "schedule": "SM",
    "schedulemeeting": "SM",
    "instantmeeting": "IM",
    "startmeeting": "HM",
    "hostmeeting": "HM",
    "joinmeeting": "JM",
    "join": "JM",
    "deletemeeting": "DM",
    "listmeetings": "LM",
    "openmeetings": "OM",
}


@generation.per_generation
def all_commands():
    """Every command with its service, read once per process for each KB generation (there are a few dozen).

    A change to a command or service moves the generation (kb.signals), which drops this list in every process."""
    return list(Command.objects.select_related("service"))


def commands_for(text: str, detection) -> list[Command]:
    """Commands the query names, in any written form."""

    loaded = []

    def commands():  # read once per search, however many written forms are tried
        if not loaded:
            loaded.append(all_commands())
        return loaded[0]

    stripped = text.strip()
    if detection is not None and detection.command:
        key = detection.command
        if not is_url_key(key):
            return [c for c in commands() if c.key.lower() == key.lower()]
        service, at = key_parts(key)
        return [
            c
            for c in commands()
            if c.service.api == "url" and c.code.upper() == at.upper() and (not service or c.service.name == service)
        ]
    if re.fullmatch(r"[A-Za-z]{2}", stripped):
        return [c for c in commands() if c.service.api == "url" and c.code.upper() == stripped.upper()]
    if re.fullmatch(r"(?:XMLService[:.])?(?:[A-Za-z]+\.)?[A-Za-z]{4,60}", stripped):
        low = stripped.lower().split(":")[-1]
        found = [
            c
            for c in commands()
            if c.service.api == "xml" and (c.code.lower() == low or c.code.lower().split(".")[-1] == low)
        ]
        if found:
            return found
    norm = "".join(w for w in words(stripped) if w not in ("a", "an", "the"))
    if not norm or len(norm) > 40:
        return []
    at = COMMAND_WORDS.get(norm)
    named = _names().get(norm, ())
    if not named and not at:
        return []
    return [c for c in commands() if c.pk in named or (at and c.service.api == "url" and c.code == at)]


@generation.per_generation
def _names():
    """{a command's name as words run together, without articles ("signup"): the ids of those commands}."""
    out = {}
    for c in all_commands():
        name = re.sub(r"\(.*?\)", " ", c.name)
        out.setdefault("".join(w for w in words(name) if w not in ("a", "an", "the")), set()).add(c.pk)
    return out


ENTRY_FIELDS = ("id", "code", "title", "summary", "retired", "api", "confidence")


def _linked_entries(through, field, values, exclude=()):
    """Rows (ENTRY_FIELDS) of entries with a cause linked to ``values``; at most COMMAND_SCAN links are read."""
    links = through.objects.filter(**{f"{field}__in": values}).order_by().values("cause__entry_id")[:COMMAND_SCAN]
    rows = Entry.objects.published().filter(pk__in=links).order_by().values_list(*ENTRY_FIELDS)
    return [row for row in rows if row[0] not in exclude]


def _entries(rows, tiered):
    """The rows by code (high confidence first when ``tiered``), as entries."""
    rows = sorted(rows, key=lambda r: (tiered and r[6] != Confidence.HIGH, r[1].lower(), r[0]))
    return [Entry(**dict(zip(ENTRY_FIELDS, row, strict=True))) for row in rows]


_answers = GenerationCache(size=256)  # a command's errors, for the generation they were read under


def entries_for_commands(cmds, limit):
    """The errors of ``cmds`` (see ``_entries_for_commands``), read once per KB generation: there are a few dozen
    commands, and reading a command's errors costs a few milliseconds in a large knowledge base."""
    key = (tuple(sorted(c.pk for c in cmds)), limit)
    return _answers.get_or_build(key, lambda: _entries_for_commands(cmds, limit))


def _entries_for_commands(cmds, limit):
    """Entries a command can answer with, in three tiers, each by code, the most sure and specific first:

    1. documented for the command: high-confidence entries whose cause names the command (the seed's codes);
    2. seen for the command: medium- or low-confidence entries whose cause names it;
    3. service-wide: entries whose causes list only the command's service.

    Returns (named, wide): lists of entries (result fields loaded), tiers 1 and 2 in order, then tier 3. At most
    COMMAND_SCAN cause links of each kind are read, so a command shared by tens of thousands of entries stays
    cheap; the shipped knowledge base is far below that, so there every entry is listed.
    """
    rows = _linked_entries(Cause.commands.through, "command", cmds)
    rows = sorted(rows, key=lambda r: (r[6] != Confidence.HIGH, r[1].lower(), r[0]))[:limit]
    direct = _entries(rows, tiered=True)
    wide = []
    if len(direct) < limit:
        services = {c.service_id for c in cmds}
        rows = _linked_entries(Cause.services.through, "service", services, exclude={e.pk for e in direct})
        wide = _entries(sorted(rows, key=lambda r: (r[1].lower(), r[0]))[: limit - len(direct)], tiered=False)
    return direct, wide
