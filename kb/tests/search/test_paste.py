"""Paste detection beyond back URLs and XML documents: log lines, HTML POST forms, JSON dumps and multi-line HTTP
captures (webex.detect, the one reader of WebEx answers), and how the search page and the JSON API say what was
pasted: a request, an answer that failed, or an answer that reports success."""

import pytest

from kb.search import search
from webex.tests.samples import FLAT, IDS, XML_FAILURE, XML_REQUEST, XML_SUCCESS


@pytest.mark.parametrize(("text", "command", "status", "code", "api", "form", "is_request"), FLAT.values(), ids=IDS)
def test_json_api_says_what_was_pasted(client, kb, text, command, status, code, api, form, is_request):
    detected = client.get("/api/search/", {"q": text}).json()["detected"]
    assert detected is not None
    assert detected["is_request"] is is_request
    assert (detected["command"], detected["status"], detected["code"], detected["api"]) == (command, status, code, api)
    assert detected["is_success"] is (status == "SUCCESS")
    expected_kind = (
        "request"
        if is_request
        else {"SUCCESS": "success", "FAIL": "failure", "FAILURE": "failure"}.get(status, "answer")
    )
    assert detected["kind"] == expected_kind


@pytest.mark.parametrize(
    "shape",
    [
        "log-error-code",
        "log-exception-id-colon",
        "log-webex-failure",
        "log-rs-inside",
        "log-reason-text",
        "json-url-answer",
        "json-xml-answer",
        "json-nested",
        "http-302",
        "http-200-xml-failure",
    ],
)
def test_a_failure_puts_its_entry_first(kb, shape):
    text, _command, _status, code, api, *_ = FLAT[shape]
    response = search(text)
    assert response.results[0].code == code
    assert response.results[0].how == "detected"
    assert response.detected.entry.code == code
    assert response.detected.cause is None or response.detected.cause.api in (api, "both")


@pytest.mark.parametrize(
    "shape", ["form-fields", "json-params-with-url", "http-xml-request", "http-get-request", "xml-request"]
)
def test_a_request_lists_its_commands_errors(kb, shape):
    text, command, *_ = FLAT[shape]
    response = search(text)
    assert response.detected.is_request and response.detected.kind == "request"
    assert response.detected.command == command
    assert response.results, "the errors the command can return"
    assert all(r.how == "command" for r in response.results)


def _results_part(body):
    return body[body.index('id="search-results"') :]


@pytest.mark.parametrize(
    "text",
    [
        XML_SUCCESS,
        "https://acme.webex.com/mw3100/mywebex/default.do?siteurl=acme&AT=LI&WID=bob&ST=SUCCESS",
        '{"AT": "LI", "ST": "SUCCESS", "WID": "bob"}',
    ],
    ids=["xml-success", "url-success", "json-success"],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "fragment"])
def test_a_success_is_shown_as_a_success(client, kb, text, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    body = client.get("/search/", {"q": text}, **headers).content.decode()
    part = _results_part(body) if not htmx else body
    assert "This answer reports success" in part
    assert "Errors this command can return" in part
    assert "not a diagnosis" in part
    assert "detected from pasted text" not in part  # no error is presented as what went wrong
    assert 'data-detected-kind="success"' in part
    assert part.index("This answer reports success") < part.index("Errors this command can return")
    assert part.index("Errors this command can return") < part.index('class="search-list"')
    detected = client.get("/api/search/", {"q": text}).json()["detected"]
    assert detected["status"] == "SUCCESS" and detected["is_success"] is True and detected["is_request"] is False


def test_a_request_is_shown_as_a_request(client, kb):
    body = _results_part(client.get("/search/", {"q": XML_REQUEST}, follow=True).content.decode())
    assert "This is a request" in body
    assert "Errors this command can return" in body
    assert "This answer reports success" not in body
    assert 'data-detected-kind="request"' in body


def test_a_failure_is_shown_as_the_diagnosis(client, kb):
    body = _results_part(client.get("/search/", {"q": XML_FAILURE}).content.decode())
    assert "detected from pasted text" in body
    assert "an answer reporting a failure" in body
    assert "This answer reports success" not in body
    assert "Errors this command can return" not in body
