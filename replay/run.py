"""Making a replay: the one front door (:func:`replay`), sending a plan through the guard, and keeping the record.

The replay page and ``manage.py replay`` both call :func:`replay`. It plans what was typed, records a refusal
when it cannot be sent, or sends it (logging in first when asked, with one cookie jar), reads and diagnoses the
answer, and saves a record in which every secret is replaced by •••.
"""

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import transaction
from django.utils.encoding import force_str
from django.views.decorators.debug import sensitive_variables

from kb.reasons import record_seen
from replay import slots
from replay.diagnose import diagnose
from replay.keep import kept_body, kept_headers
from replay.models import ReplayRecord
from replay.outbound import MAX_BODY_BYTES, GuardedSession, OutboundError, log_target
from replay.plan import ReplayInput, ReplayInputError, ReplayPlan, plan_for
from webex import read_answer
from webex.commandkeys import LOGIN_COMMAND
from webex.redaction import redact_text

logger = logging.getLogger("replay")  # the same logger as replay.outbound


@dataclass(frozen=True)
class Replayed:
    """What a replay left: its saved record, and whether it was refused because too many replays are in flight
    (:mod:`replay.slots`; the page answers 429 with Retry-After)."""

    record: ReplayRecord
    busy: bool = False


@sensitive_variables()
def replay(site, given: ReplayInput, *, user=None, actor="") -> Replayed:
    """Replay what was typed on ``site``; the record is saved, a refused one when it cannot be sent, with the
    wizard step it came from (``given.from_step``).

    Raises LoginDetailsMissing, recording nothing, when "log in first" has no WID or no password, and
    ReplayInputError, recording nothing, for an input mistake (unreadable input: the caller shows it on the form).
    A refusal of a real command (another host, a blocked address) is recorded.
    A replay refused because too many are in flight is recorded with outcome "blocked" and comes back ``busy``.
    """
    who = {"user": user, "actor": actor, "from_step": given.from_step}
    try:
        plan = plan_for(site, given)
    except ReplayInputError as error:
        if error.outcome != "blocked":
            raise
        return Replayed(
            record_refusal(site, error, command=given.refused_command, api=given.api, method=given.method, **who)
        )
    try:
        with slots.hold(user):
            return Replayed(run_replay(plan, **who))
    except slots.Busy as busy:
        error = ReplayInputError(busy.message, outcome="blocked")
        return Replayed(
            record_refusal(site, error, command=plan.command, api=plan.api, method=plan.method, **who), busy=True
        )


def _new_record(plan_or_site, *, user, actor, from_step=""):
    site = getattr(plan_or_site, "site", plan_or_site)
    return ReplayRecord(
        user=user if getattr(user, "is_authenticated", False) else None,
        actor=(actor or getattr(user, "get_username", lambda: "")() or "unknown")[:150],
        site=site,
        site_label=(site.name if site is not None else "")[:120],
        from_step=from_step,
    )


def record_refusal(
    site, error: ReplayInputError, *, user=None, actor="", from_step="", command="", api="url", method="POST"
):
    """Save the record of a replay refused before anything was sent (bad URL, another host…)."""
    record = _new_record(site, user=user, actor=actor, from_step=from_step)
    record.api = api
    record.method = method
    record.command = command[:120]
    record.outcome = error.outcome
    record.message = error.message
    with transaction.atomic():
        record.save()
    logger.info("replay refused before sending (%s) on site %s", error.outcome, getattr(site, "slug", "?"))
    return record


def _read(fetched, secrets):
    return read_answer(
        fetched.body,
        status=fetched.status,
        location=fetched.location,
        content_type=fetched.content_type,
        secrets=secrets,
    )


def _fill_from_answer(record, fetched, answer, diagnosis, secrets):
    record.http_status = fetched.status
    record.truncated = fetched.truncated
    record.answer_form = answer.form[:30]
    record.st = (answer.st or answer.result or "")[:20]
    record.rs = (answer.rs or "")[:80]
    record.exception_id = (answer.exception_id or "")[:20]
    record.reason = redact_text(answer.reason or "", secrets)[:300]
    if fetched.location:
        record.location = redact_text(fetched.location, secrets)[:2000]
    record.response_preview = redact_text(answer.preview or "", secrets)[:1000]
    record.response_body = kept_body(fetched.body, secrets)
    record.response_headers = kept_headers(fetched.headers, secrets)
    record.outcome = diagnosis.outcome
    record.entry = diagnosis.entry
    record.cause = diagnosis.cause
    messages = [diagnosis.message] if diagnosis.message else []
    if fetched.truncated:
        messages.append(f"The answer was longer than {MAX_BODY_BYTES // 1024} KiB and was cut off there.")
    if fetched.location and diagnosis.outcome in ("success", "fail"):
        messages.append("The site answered with a redirect; it was read, not followed.")
    record.message = " ".join(messages)


@sensitive_variables()
def run_replay(plan: ReplayPlan, *, user=None, actor="", from_step=""):
    """Send the plan through the guard, read and diagnose the answer, save and return the record."""
    record = _new_record(plan, user=user, actor=actor, from_step=from_step)
    record.api = plan.api
    record.method = plan.method
    record.command = plan.command[:120]
    record.parameters = plan.redacted_params()
    record.request_xml = plan.redacted_xml()
    record.login_first = plan.login_first
    record.login_wid = plan.login_wid[:120] if plan.login_first else ""
    record.target = log_target(plan.url)[:400]
    started = time.monotonic()
    try:
        _send(plan, record)
    except OutboundError as error:
        record.outcome = error.kind
        record.message = error.message
    record.duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        record.save()
    if record.outcome == ReplayRecord.Outcome.FAIL and record.code:
        record_seen(record.code, record.reason, origin="replay")  # for the review queue (kb.reasons)
    return record


@sensitive_variables()
def _send(plan: ReplayPlan, record):
    secrets = plan.scrub_values()
    site = plan.site
    timeout = site.effective_timeout
    with GuardedSession(timeout_seconds=timeout, allow_private_network=site.allow_private_network) as session:
        if plan.login_first and plan.api == "url":
            login = session.fetch(
                "POST",
                site.service_url("p.php"),
                content=urlencode([("AT", "LI"), ("WID", plan.login_wid), ("PW", plan.login_password)]).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            login_answer = _read(login, secrets)
            already = (login_answer.rs or "").lower() == "alreadylogon"
            if login_answer.failed and not already:
                diagnosis = diagnose(login_answer, api="url", command=LOGIN_COMMAND)
                _fill_from_answer(record, login, login_answer, diagnosis, secrets)
                record.login_summary = f"Log in first: FAIL {login_answer.rs or ''}".strip()
                record.message = "The log-in before the command failed, so the command was not sent. " + record.message
                return
            record.login_summary = (
                "Log in first: SUCCESS"
                if login_answer.succeeded or already
                else f"Log in first: no ST in the answer ({force_str(login_answer.form)})"
            )
        if plan.api == "xml":
            fetched = session.fetch(
                "POST", plan.url, content=plan.xml.encode("utf-8"), headers={"Content-Type": "text/xml; charset=UTF-8"}
            )
        elif plan.method == "GET":
            query = urlencode(plan.params)
            fetched = session.fetch("GET", f"{plan.url}?{query}" if query else plan.url)
        else:
            fetched = session.fetch(
                "POST",
                plan.url,
                content=urlencode(plan.params).encode("utf-8"),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        answer = _read(fetched, secrets)
        diagnosis = diagnose(answer, api=plan.api, command=plan.command)
        _fill_from_answer(record, fetched, answer, diagnosis, secrets)
