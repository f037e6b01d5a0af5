"""What a replay's result offers: the whole answer, the next test as one click, the way back to the wizard step it
came from, "Replay again", and the record as ticket text."""

import re
from urllib.parse import urlencode

from django.urls import reverse

from core import tickets
from kb.models import Command
from replay.curl import curl_command
from replay.prefill import replay_link
from replay.pretty import pretty_body
from replay.worked_before import worked_before
from troubleshooter.answers import back_to_step, next_tests
from webex.commandkeys import key_parts, service_of, site_change
from webex.redaction import is_secret_name

COLLAPSE_OVER_LINES = 60


def _own_params(record):
    """The record's parameters that can be sent again as they are: not AT, no secret (they are •••)."""
    return {str(k): str(v) for k, v in record.parameters or [] if str(k).upper() != "AT" and not is_secret_name(k)}


def _command_text(command, params):
    return f"{command}&{urlencode(params)}" if params else command


def _xml_webex_id(record):
    """The ``webExID`` the record's XML request carried (not a secret), or ""."""
    match = _WEBEX_ID.search(record.request_xml or "")
    return match.group(1).strip() if match else ""


_WEBEX_ID = re.compile(r"<(?:\w+:)?webExID>([^<]{1,120})</(?:\w+:)?webExID>")


def _test_command(record, test, own):
    """(text, required parameter names) of a test that sends another command: it carries every non-secret
    parameter of the failed command that the test's command takes, and the site's partner ID when it takes PID."""
    command = (
        Command.objects.select_related("service")
        .filter(service__name=service_of(test["command"]), code=key_parts(test["command"])[1])
        .first()
    )
    specs = command.parameters if command else []
    listed = {p["name"].upper(): p["name"] for p in specs}
    carried = {listed[k.upper()]: v for k, v in own.items() if k.upper() in listed}
    if "PID" in listed and listed["PID"] not in carried and record.site is not None and record.site.partner_id:
        carried[listed["PID"]] = record.site.partner_id
    requires = [p["name"] for p in specs if p.get("required")]
    return _command_text(test["command"], {**carried, **test["params"]}), requires


def next_test_links(record):
    """The tests the knowledge base and the wizard describe after this answer, as links to the filled-in form:
    "Retry with DU=20", "Run the p.php?AT=SU test", "Log in first and retry", "Run the user.AuthenticateUser
    test". A test says what it needs and whether it changes the site; it names a wizard step only when the replay
    was started from one."""
    if record.outcome != "fail" or not record.code or not record.command:
        return []
    own = _own_params(record) if record.api == "url" else {}
    cause = record.cause.slug if record.cause_id else ""
    links = []
    for test in next_tests(code=record.code, command=record.command, cause_slug=cause, params=own):
        requires, wid = [], ""
        if test["kind"] == "retry":
            if test["params"] and all(own.get(k) == v for k, v in test["params"].items()):
                continue  # this answer already came from that retry
            wanted = "&".join(f"{k}={v}" for k, v in test["params"].items())
            label = f"Retry with {wanted}" if wanted else "Retry"
            text = _command_text(record.command, {**own, **test["params"]})
            login = record.login_first
        elif test["kind"] == "test":
            text, requires = _test_command(record, test, own)
            label = f"Run the {test['command'].removeprefix('XMLService:')} test"
            login = False
            wid = _xml_webex_id(record) if record.api == "xml" else ""
        else:
            if record.login_first:
                continue
            label = "Log in first and retry"
            text = _command_text(record.command, own)
            login = True
        url = replay_link(
            text,
            site=record.site_id,
            from_step=(test.get("from") or record.from_step) if record.from_step else "",
            login_first=login,
            login_wid=record.login_wid if login else wid,
        )
        caution = site_change(test["command"], record.site_label)
        links.append(
            {
                "kind": test["kind"],
                "label": label,
                "command": text,
                "url": url,
                "requires": requires,
                "caution": caution,
            }
        )
    return links[:3]


def result_context(record):
    if record is None:
        return {}
    steps = list(record.cause.steps.all()) if record.cause_id else []
    content_type = next((v for k, v in record.response_headers or [] if str(k).lower() == "content-type"), "")
    body, pretty = pretty_body(record.response_body or "", content_type)
    back = back_to_step(record.from_step, outcome=record.outcome, code=record.code) if record.from_step else None
    return {
        "record": record,
        "steps": steps,
        "curl": curl_command(record),
        "body": body,
        "body_pretty": pretty,
        "body_open": body.count("\n") < COLLAPSE_OVER_LINES,
        "next_tests": next_test_links(record),
        "caution": site_change(record.command, record.site_label) if record.command else "",
        "back": back,
        "again_url": f"{reverse('replay:replay')}?again={record.pk}",
        "ticket_url": f"{reverse('replay:ticket', args=[record.pk])}?",
        "worked_before": worked_before(record),
    }


def replay_ticket(record, permalink, entry_url=""):
    """A replay record for a ticket: what was sent, what came back, what it means and what to do."""
    facts = [
        ("Site", record.site_label),
        ("Command", f"{tickets.code(record.command or '(not read)')} ({record.method}, {record.get_api_display()})"),
        ("Outcome", record.get_outcome_display()),
    ]
    if record.http_status is not None:
        facts.append(("HTTP status", str(record.http_status)))
    if record.st:
        facts.append(("result" if record.api == "xml" else "ST", tickets.code(record.st)))
    if record.code:
        facts.append(("exceptionID" if record.exception_id else "RS", tickets.code(record.code)))
    if record.login_first:
        facts.append(("Log in first", f"WID {tickets.code(record.login_wid)} {record.login_summary}".strip()))
    if record.duration_ms is not None:
        facts.append(("Time taken", f"{record.duration_ms} ms"))
    facts.append(("Replayed", f"{record.created_at:%Y-%m-%d %H:%M:%S} UTC by {record.actor}"))
    sections = [tickets.Section(facts=facts)]
    if record.message:
        sections.append(tickets.Section(paragraphs=[record.message]))
    if record.entry_id:
        diagnosis = tickets.Section(
            heading=f"Diagnosis: {tickets.code(record.entry.code)} {record.entry.title}",
            paragraphs=[record.entry.summary],
        )
        if record.cause_id:
            diagnosis.facts.append(("What it means", record.cause.meaning))
        sections.append(diagnosis)
        steps = [step.text for step in record.cause.steps.all()] if record.cause_id else []
        if steps:
            sections.append(tickets.Section(heading="What to do", steps=steps))
    links = [("Replay record", permalink)]
    if entry_url:
        links.append(("Knowledge base", entry_url))
    command = tickets.code(record.command or "a command")
    title = f"Replay of {command} on {record.site_label}: {record.get_outcome_display()}"
    return tickets.Ticket(title=title, sections=sections, links=links)
