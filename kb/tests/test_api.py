"""The JSON API's documented schema: /api/errors/ and /api/errors/<code>/."""

import pytest

from kb.models import Entry

SUMMARY_KEYS = {"code", "title", "summary", "api", "category", "retired", "url", "api_url"}
DETAIL_KEYS = SUMMARY_KEYS | {
    "category_label",
    "commands",
    "counterparts",
    "timeline",
    "messages",
    "aliases",
    "source",
    "confidence",
    "confidence_note",
    "causes",
    "related",
    "created_at",
    "updated_at",
}
CAUSE_KEYS = {"slug", "api", "title", "meaning", "when_seen", "commands", "services", "steps"}


def test_list_schema(client, kb):
    data = client.get("/api/errors/").json()
    assert data["count"] == Entry.objects.count() == len(data["results"])
    for item in data["results"]:
        assert set(item) == SUMMARY_KEYS
    codes = [item["code"] for item in data["results"]]
    assert codes == sorted(codes)


def test_detail_schema(client, kb):
    response = client.get("/api/errors/AccessDenied/")
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == DETAIL_KEYS
    assert data["url"] == "http://testserver/errors/AccessDenied/"
    assert [c["slug"] for c in data["causes"]] == ["session-expired", "xml-privilege"]
    for cause in data["causes"]:
        assert set(cause) == CAUSE_KEYS
        assert cause["steps"]
    assert {"alias": "Access Denied"}.items() <= data["aliases"][0].items()


def test_detail_alias_and_case_redirect(client, kb):
    assert client.get("/api/errors/accessdenied/")["Location"] == "/api/errors/AccessDenied/"
    assert client.get("/api/errors/SiteDoNotSupportThisMeetingType/")["Location"] == "/api/errors/NoMeetingTypeSupport/"


def test_unknown_code_is_json_404_with_closest(client, kb):
    response = client.get("/api/errors/AcessDenied/")
    assert response.status_code == 404
    data = response.json()
    assert "AccessDenied" in data["closest"]
    assert "AcessDenied" in data["error"]


def test_filters_match_the_page(client, kb):
    data = client.get("/api/errors/?command=m.php%3FAT%3DSM").json()
    codes = {item["code"] for item in data["results"]}
    assert {"TheDurationIsExceedTheMaxDuration", "NoMeetingTypeSupport", "AccessDenied"} <= codes
    assert "EmailConflict" not in codes


def test_bad_filter_is_json_400(client, kb):
    response = client.get("/api/errors/?api=soap")
    assert response.status_code == 400
    assert "api" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/errors/", "/api/errors/AccessDenied/"])
def test_api_refuses_post(client, kb, url):
    assert client.post(url).status_code == 405


def test_list_query_count(client, kb, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get("/api/errors/?api=url")


def test_cached_detail_follows_changes(client, kb, django_assert_max_num_queries):
    assert client.get("/api/errors/Unknown/").json()["title"] != "Renamed"
    with django_assert_max_num_queries(1):
        client.get("/api/errors/Unknown/")
    entry = Entry.objects.get(code="Unknown")
    entry.title = "Renamed"
    entry.save()
    assert client.get("/api/errors/Unknown/").json()["title"] == "Renamed"
    assert client.get("/api/errors/unknown/")["Location"] == "/api/errors/Unknown/"
