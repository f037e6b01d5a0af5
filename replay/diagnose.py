"""What a WebEx answer means: an outcome, and for a failure the knowledge base entry and cause that fit its code."""

import dataclasses
import re

from kb.models import Entry
from webex.rest import RETIRED_CONDITION


@dataclasses.dataclass
class Diagnosis:
    outcome: str
    entry: object = None
    cause: object = None
    message: str = ""
    condition: str = ""  # the slug of a condition that may explain the answer (webex.rest.CONDITIONS)


def diagnose(answer, *, api, command):
    """Map an answer to an outcome, and its RS or exceptionID to the KB entry and cause that fit."""
    if answer.succeeded:
        return Diagnosis("success", message="The site answered SUCCESS.")
    if answer.failed:
        code = (answer.code or "").replace("\x00", "\ufffd")  # PostgreSQL refuses NUL in a query
        if not code:
            return Diagnosis("fail", message="The site answered FAIL without a reason code.")
        # Only a published entry: a record is kept and shown to every help desk user, and drafts are for editors.
        entry, _how = Entry.objects.published().resolve(code)
        if entry is None:
            return Diagnosis("fail", message=f"The code {code} is not in the knowledge base yet.")
        entry = Entry.objects.with_cause_links().get(pk=entry.pk)
        return Diagnosis("fail", entry, entry.cause_for(answer.api or api, command))
    shape = retirement_shape(answer)
    if shape:
        return Diagnosis(
            "retired",
            message=f"{shape}. This API may be retired on this site: Cisco retired the meeting-related XML API on "
            "2024-03-31 and said the URL API would follow the same plan (sites kept it only on an extension), so "
            "no reason code is read from this answer. Check the site address too; the REST API is the way on.",
            condition=RETIRED_CONDITION,
        )
    if answer.form == "empty":
        return Diagnosis("unrecognized", message="The site answered with an empty body.")
    if answer.form == "non-http-redirect":
        scheme = (answer.url or "").split(":", 1)[0].lower()
        return Diagnosis(
            "unrecognized",
            message=f"The site answered with a redirect to a {scheme}: address, not an http one. It was recorded, "
            "not followed.",
        )
    if answer.form == "http-redirect":
        return Diagnosis(
            "unrecognized",
            message="The site answered with a redirect that carries no WebEx result (no ST). It was not followed.",
        )
    if answer.recognised:
        return Diagnosis("unrecognized", message="The answer carries no result (no ST and no serv:result).")
    return Diagnosis("unrecognized", message="This does not look like a WebEx answer.")


_LOGIN_PAGE = re.compile(r"(?i)(?:log-?in|sign-?in|log-?on|/idb/|oauth|/sso\b|saml)")


def retirement_shape(answer) -> str:
    """What makes an answer look like a retired API, in words, or "" (an answer with a result never does): 404 or
    410 on the service path, a redirect to a log-in page without a result, or an HTML page where WebEx sends its
    redirect page or XML (retired calls' exact answers are not documented: reference notes §6)."""
    if answer.succeeded or answer.failed:
        return ""
    if answer.http_status in (404, 410):
        return f"The site answered HTTP {answer.http_status} on the service path"
    if answer.form == "http-redirect" and not answer.st and _LOGIN_PAGE.search(answer.url or ""):
        return "The site answered with a redirect to a log-in page, with no WebEx result"
    if answer.form == "unrecognised" and answer.html_page:
        return (
            "The site answered with an HTML page where WebEx sends its redirect page or XML: this does not look "
            "like a WebEx answer"
        )
    return ""
