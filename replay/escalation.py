"""The escalation pack of a replay record (``/replay/<id>/escalation/?format=text|markdown``): what Cisco's developer
support asks for, in one text. The redacted request and answer, the UTC time window, the site, the tracking ID or
``gsbStatus`` the answer holds, the entries and causes already tried (this replay's and the person's other replays from
the same wizard flow), and the wizard path. Every text in a record is already redacted (webex.redaction)."""

from datetime import timedelta

from django.conf import settings

from core import tickets
from replay.models import ReplayRecord
from troubleshooter.answers import step_path_text
from webex.redaction import redact_text
from webex.ticket import facts

MAX_BODY_CHARS = 8000  # of the answer's body in the pack (the record keeps it whole)
SEARCH_MARGIN = timedelta(minutes=5)  # the window support is asked to search around the replay
TRIED_HOURS = 24  # the person's other replays from the same wizard flow, this far back
_UTC = "%Y-%m-%d %H:%M:%S"


def _request_text(record) -> str:
    lines = [f"{record.method} {record.target or '(no address)'}"]
    if record.api == "xml":
        lines += ["Content-Type: text/xml; charset=UTF-8", "", record.request_xml or "(no XML body)"]
    else:
        lines += [f"{name}={value}" for name, value in record.parameters or []]
    return redact_text("\n".join(lines))


def _answer_text(record) -> str:
    if record.http_status is None:
        return record.message or "(no answer)"
    lines = [f"HTTP {record.http_status}"] + [f"{name}: {value}" for name, value in record.response_headers or []]
    body = record.response_body or record.response_preview or ""
    if len(body) > MAX_BODY_CHARS:
        body = body[:MAX_BODY_CHARS] + f"\n… ({len(body) - MAX_BODY_CHARS} more characters in the replay record)"
    return redact_text("\n".join([*lines, "", body]))


def _window(record) -> list[tuple[str, str]]:
    end = record.created_at
    start = end - timedelta(milliseconds=record.duration_ms or 0)
    return [
        ("Sent (UTC)", f"{start:{_UTC}} – {end:{_UTC}}"),
        ("Search window (UTC)", f"{start - SEARCH_MARGIN:{_UTC}} – {end + SEARCH_MARGIN:{_UTC}}"),
    ]


def _tracking(record) -> list[tuple[str, str]]:
    headers = "\n".join(f"{name}: {value}" for name, value in record.response_headers or [])
    found = facts(f"{headers}\n{record.response_body or ''}")
    rows = [("Tracking ID", f.value) for f in found if f.kind == "tracking"]
    rows += [("gsbStatus", f.value) for f in found if f.kind == "gsb"]
    return rows or [("Tracking ID / gsbStatus", "none in the answer")]


def _tried(record) -> list[str]:
    """This replay's diagnosis, then those of the person's other replays from the same wizard flow."""
    records = [record]
    if record.from_step and record.user_id:
        flow = record.from_step.split("?", 1)[0]
        since = record.created_at - timedelta(hours=TRIED_HOURS)
        records += list(
            ReplayRecord.objects.filter(user_id=record.user_id, from_step__startswith=flow, created_at__gte=since)
            .exclude(pk=record.pk)
            .select_related("entry", "cause")
            .order_by("created_at")[:20]
        )
    lines, seen = [], set()
    for item in records:
        if item.entry_id is None:
            continue
        cause = f" (cause: {item.cause.title})" if item.cause_id else ""
        line = f"{tickets.code(item.entry.code)} {item.entry.title}{cause}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def escalation_ticket(record, permalink: str, root: str = "") -> tickets.Ticket:
    site = record.site.host if record.site_id else ""
    overview = [
        ("Site", f"{record.site_label} ({site})" if site else record.site_label),
        ("Command", f"{tickets.code(record.command or '(not read)')} ({record.method}, {record.get_api_display()})"),
        ("Outcome", record.get_outcome_display()),
    ]
    if record.login_first:
        overview.append(("Logged in first", f"WID {tickets.code(record.login_wid)} {record.login_summary}".strip()))
    if record.code:
        overview.append(("exceptionID" if record.exception_id else "RS", tickets.code(record.code)))
    if record.reason:
        overview.append(("Reason", record.reason))
    if record.http_status is not None:
        overview.append(("HTTP status", str(record.http_status)))
    sections = [
        tickets.Section(facts=overview),
        tickets.Section(heading="Time window", facts=_window(record)),
        tickets.Section(heading="Tracking", facts=_tracking(record)),
        tickets.Section(heading="Request (secrets removed)", blocks=[_request_text(record)]),
        tickets.Section(heading="Answer (secrets removed)", blocks=[_answer_text(record)]),
    ]
    tried = _tried(record)
    sections.append(
        tickets.Section(heading="Already tried", steps=tried)
        if tried
        else tickets.Section(heading="Already tried", paragraphs=["No entry of the knowledge base matched yet."])
    )
    path = step_path_text(record.from_step) if record.from_step else []
    if path:
        sections.append(tickets.Section(heading="Wizard path", steps=path))
    links = [("Replay record", permalink)]
    if record.entry_id:
        url = record.cause.get_absolute_url() if record.cause_id else record.entry.get_absolute_url()
        links.append(("Knowledge base", f"{root or settings.SITE_ROOT}{url}"))
    title = f"Escalation: {tickets.code(record.command or 'a command')} on {record.site_label}"
    return tickets.Ticket(title=f"{title}, {record.get_outcome_display()}", sections=sections, links=links)
