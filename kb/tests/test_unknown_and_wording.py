"""Issue 22's smaller defects on the knowledge pages: the unknown-code 404 explains a 6-digit ID by its family as the
search does (never proposes 060019 for 030099 by string distance), and a typed ``AT=SU`` is a command, not "an
answer … back URL"."""

import re


def test_an_unknown_exception_id_is_explained_by_its_family(client, kb):
    response = client.get("/errors/030099/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "What we know about its family" in html and "03xxxx" in html
    assert 'href="/errors/030002/"' in html  # a code of the same family
    assert "Did you mean" not in html and 'href="/errors/060019/"' not in html


def test_an_unknown_reason_code_still_gets_codes_that_look_alike(client, kb):
    html = client.get("/errors/AcessDenied/").content.decode()
    if "Did you mean" in html:  # the alias may resolve it; a misspelling is offered as such
        assert 'href="/errors/AccessDenied/"' in html
    assert "What we know about its family" not in html


def test_a_typed_at_is_a_command_not_an_answer(client, kb):
    html = client.get("/search/", {"q": "AT=SU"}).content.decode()
    detected = re.search(r'<section class="card search-detection.*?</section>', html, re.S)[0]
    assert "a command (no status and no reason code: not an answer)" in detected
    assert "back URL" not in detected and "an answer with a reason code" not in detected
    html = client.get("/search/", {"q": "AT=LI&ST=FAIL&RS=AccessDenied"}).content.decode()
    assert "an answer reporting a failure" in html
