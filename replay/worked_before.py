""" "It worked before": when a replay of a site and command that once succeeded now fails, the last good answer is shown
beside the new one, with what changed between them: the host, the redirect, the answer's form, the code, the reason
text, the HTTP status."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from replay.models import ReplayRecord
from replay.outbound import log_target, url_origin

FAILED = (ReplayRecord.Outcome.FAIL, ReplayRecord.Outcome.UNRECOGNIZED)


@dataclass
class Change:
    what: str  # host, redirect, answer form, code, reason text, HTTP status
    before: str
    now: str


@dataclass
class WorkedBefore:
    good: ReplayRecord
    changes: list[Change] = field(default_factory=list)


def _host(url) -> str:
    try:
        scheme, host, port = url_origin(url or "")
    except ValueError:
        return ""
    return f"{scheme}://{host}:{port}" if host else ""


def _redirect(location) -> str:
    """Where a redirect went, without its query (ST, RS and the rest differ by design): scheme://host:port/path."""
    if not location:
        return ""
    return log_target(location) or urlsplit(location).path


def _show(value) -> str:
    return str(value) if value not in (None, "") else "(none)"


def changes_between(good, now) -> list[Change]:
    pairs = [
        ("host", _host(good.target), _host(now.target)),
        ("redirect", _redirect(good.location), _redirect(now.location)),
        ("answer form", good.answer_form, now.answer_form),
        ("code", good.code or "", now.code or ""),
        ("reason text", good.reason, now.reason),
        ("HTTP status", good.http_status, now.http_status),
    ]
    return [Change(what, _show(before), _show(after)) for what, before, after in pairs if before != after]


def worked_before(record) -> WorkedBefore | None:
    """The last success of the same command on the same site before this failed replay, and what changed; None when
    the replay did not fail or that command never succeeded there."""
    if record is None or record.outcome not in FAILED or not record.command:
        return None
    if record.site_id:
        same_site = {"site_id": record.site_id}
    else:
        same_site = {"site__isnull": True, "site_label": record.site_label}
    good = (
        ReplayRecord.objects.filter(
            command=record.command,
            outcome=ReplayRecord.Outcome.SUCCESS,
            created_at__lt=record.created_at,
            **same_site,
        )
        .order_by("-created_at")
        .first()
    )
    if good is None:
        return None
    return WorkedBefore(good, changes_between(good, record))
