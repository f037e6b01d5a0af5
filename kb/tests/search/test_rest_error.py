"""A pasted Webex REST API error on /search/ and /api/search/: recognised (detected.kind "rest_error"), explained by
its status class with its trackingId and the conditions that may fit, and never matched to a legacy code."""

import pytest

from kb.models import SearchLog
from kb.reasons import SeenReason

pytestmark = pytest.mark.usefixtures("kb")

BODY = (
    '{"message": "The request requires a valid access token set in the Authorization request header.", '
    '"errors": [{"description": "The request requires a valid access token set in the Authorization request '
    'header."}], "trackingId": "ROUTER_5F1A2B3C-0000-1111"}'
)
CAPTURE_401 = "HTTP/1.1 401 Unauthorized\nContent-Type: application/json\n\n" + BODY
CAPTURE_429 = "HTTP/1.1 429 Too Many Requests\nRetry-After: 30\n\n" + BODY.replace("401", "429")


def test_api_says_rest_error_and_matches_no_legacy_code(client):
    data = client.get("/api/search/", {"q": CAPTURE_401}).json()
    detected = data["detected"]
    assert detected["kind"] == "rest_error" and detected["form"] == "rest-error"
    assert detected["code"] is None and detected["entry"] is None and detected["cause"] is None
    assert detected["rest"]["status"] == 401 and detected["rest"]["tracking_id"] == "ROUTER_5F1A2B3C-0000-1111"
    assert detected["rest"]["conditions"] == ["rest-token-or-scope"]
    codes = [r["code"] for r in data["results"]]
    assert "030002" not in codes and "030048" not in codes and "AccessDenied" not in codes
    assert data["confident"] is False
    assert SearchLog.objects.filter(detected=True).count() == 1
    assert not SeenReason.objects.exists()  # a REST error is no legacy code and text


def test_the_page_explains_the_status_class_the_tracking_id_and_the_condition(client):
    response = client.get("/search/", {"q": CAPTURE_401})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-detected-kind="rest_error"' in page
    assert "a REST API error" in page and "Unauthorized" in page and "12 hours" in page
    assert "ROUTER_5F1A2B3C-0000-1111" in page and "Cisco support asks for this value" in page
    assert 'data-condition="rest-token-or-scope"' in page and "the REST token expired or lacks a scope" in page
    assert "/errors/030002/" not in page


def test_a_429_says_rate_limit_and_retry_after_in_the_htmx_fragment(client):
    response = client.get("/search/", {"q": CAPTURE_429}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "Too many requests" in page and "Retry-After" in page and "<code>30</code>" in page
    assert 'data-condition="rate-limit-reached"' in page


def test_search_page_query_count_for_a_rest_error(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        assert client.get("/search/", {"q": CAPTURE_401}).status_code == 200
