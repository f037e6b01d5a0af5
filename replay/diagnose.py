"""What a WebEx answer means: an outcome, and for a failure the knowledge base entry and cause that fit its code."""

import dataclasses

from kb.models import Entry


@dataclasses.dataclass
class Diagnosis:
    outcome: str
    entry: object = None
    cause: object = None
    message: str = ""


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
