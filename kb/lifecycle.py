"""A command's lifecycle (live, end of support, end of life, extension only) and its REST way on: the choices, the
REST API's base address, and how both read in a sentence (entry, command and condition pages, ticket text).

The facts themselves live in the fixtures (``lifecycle`` and ``rest`` of each command), each with its source."""

from django.db import models

REST_BASE = "https://webexapis.com/v1"
REST_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class Lifecycle(models.TextChoices):
    LIVE = "live", "Live"
    END_OF_SUPPORT = "end-of-support", "End of support"
    END_OF_LIFE = "end-of-life", "End of life"
    EXTENSION_ONLY = "extension-only", "Extension only"


class RestBasis(models.TextChoices):
    """How a REST replacement is known: Cisco's XML-to-REST migration guide names it, or it is inferred (the
    endpoint exists in Cisco's REST reference, but no Cisco text pairs it with this command)."""

    GUIDE = "guide", "Cisco's migration guide"
    INFERRED = "inferred", "inferred"


def lifecycle_sentence(command, *, brief=False) -> str:
    """``End of life 2024-03-31 (confidence: medium). <note> Source: …`` for a command; "" when none is stated.
    ``brief`` (a ticket) leaves the note out, never the source."""
    if not command.lifecycle:
        return ""
    text = Lifecycle(command.lifecycle).label
    if command.lifecycle_date:
        text += f" {command.lifecycle_date.isoformat()}"
    if command.lifecycle_confidence:
        text += f" (confidence: {command.lifecycle_confidence})"
    text += "."
    if command.lifecycle_note and not brief:
        text += f" {command.lifecycle_note}"
    if command.lifecycle_source:
        text += f" Source: {command.lifecycle_source}"
    return text


def rest_sentence(command, *, brief=False) -> str:
    """``POST https://webexapis.com/v1/meetings (inferred). <note> Source: …`` for a command; "" when none is
    recorded. ``brief`` (a ticket) leaves the source out, never how the pairing is known."""
    if not command.rest_path:
        return ""
    text = f"{command.rest_method} {REST_BASE}{command.rest_path} ({RestBasis(command.rest_basis).label})."
    if command.rest_note:
        text += f" {command.rest_note}"
    if command.rest_source and not brief:
        text += f" Source: {command.rest_source}"
    return text


def commands_of(entry) -> list:
    """The commands an entry's causes name, each once, in the order the causes name them (from what was
    prefetched: ``Entry.objects.prefetch_for_page()``)."""
    seen, out = set(), []
    for cause in entry.causes.all():
        for command in cause.commands.all():
            if command.pk not in seen:
                seen.add(command.pk)
                out.append(command)
    return out


def lifecycle_dict(command) -> dict:
    """A command's ``lifecycle`` and ``rest``, only those it has, as the fixture format and the JSON API write them."""
    out = {}
    if command.lifecycle:
        out["lifecycle"] = {
            "state": command.lifecycle,
            "date": command.lifecycle_date.isoformat() if command.lifecycle_date else None,
            "source": command.lifecycle_source,
            "confidence": command.lifecycle_confidence,
        }
        if command.lifecycle_note:
            out["lifecycle"]["note"] = command.lifecycle_note
    if command.rest_path:
        out["rest"] = {
            "method": command.rest_method,
            "path": command.rest_path,
            "basis": command.rest_basis,
            "source": command.rest_source,
        }
        if command.rest_note:
            out["rest"]["note"] = command.rest_note
    return out


def lifecycle_groups(entry) -> list[tuple[object, list]]:
    """The entry's commands with a lifecycle or a REST way on, grouped by the same lifecycle statement (state, date,
    confidence, note, source): ``[(a command that states it, [its commands]), …]``, in the order first named."""
    groups: dict[tuple, tuple[object, list]] = {}
    for command in commands_of(entry):
        if not (command.lifecycle or command.rest_path):
            continue
        key = (
            command.lifecycle,
            command.lifecycle_date,
            command.lifecycle_confidence,
            command.lifecycle_note,
            command.lifecycle_source,
        )
        groups.setdefault(key, (command, []))[1].append(command)
    return list(groups.values())
