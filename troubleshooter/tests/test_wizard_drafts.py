"""A wizard outcome that names a draft entry shows neither the entry nor its cause and steps to anyone but KB
editors: not on the page, not in its ticket text."""

from django.test import Client

from kb.models import Entry

OUTCOME = "/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict"
TICKET = "/troubleshoot/log-in/ticket/?came-back=reason-code&li-code=bad-id&su-test=webex-id-conflict&format=text"
CODE = "BadWebExIDorPassword"


def _draft(kb):
    entry = kb.get(code=CODE)
    entry.status = Entry.Status.DRAFT
    entry.save()
    return entry, entry.causes.get(slug="wrong-credentials")


def test_a_draft_outcome_hides_the_entry_from_readers(kb, client, people):
    entry, cause = _draft(kb)
    step = cause.steps.first().text
    for role in ("anonymous", "help-desk"):
        if people[role] is not None:
            client.force_login(people[role])
        for url in (OUTCOME, TICKET):
            response = client.get(url)
            text = response.content.decode()
            assert response.status_code == 200, (role, url)
            # The flow's own labels may name the code (the answer chosen); the entry's text and link never show.
            assert f'data-entry="{CODE}"' not in text and f"/errors/{CODE}/" not in text, (role, url)
            assert entry.title not in text and step not in text and cause.title not in text, (role, url)


def test_a_draft_outcome_shows_the_entry_to_editors(kb, editor_client):
    entry, cause = _draft(kb)
    text = editor_client.get(OUTCOME).content.decode()
    # The outcome's steps, but those that ask for the test the path has just run (troubleshooter.views._steps_after).
    assert f'data-entry="{CODE}"' in text and cause.steps.last().text in text
    assert CODE in editor_client.get(TICKET).content.decode()


def test_the_shared_graph_is_not_changed_by_hiding(kb, editor_client):
    client = Client()  # anonymous (``client`` is the editor's)
    _draft(kb)
    assert f"<title>{CODE}" not in client.get(OUTCOME).content.decode()
    assert f'data-entry="{CODE}"' in editor_client.get(OUTCOME).content.decode()
    assert f"<title>{CODE}" not in client.get(OUTCOME).content.decode()
