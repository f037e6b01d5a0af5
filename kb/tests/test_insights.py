"""/insights/: staff only, GET only, and every app's registered section on one page (kb.insights)."""

import pytest

from kb.tests.helpers import text_of

URL = "/insights/"


def test_anonymous_people_are_sent_to_log_in(kb, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/insights/")


def test_people_who_are_not_staff_are_refused(kb, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("desk", password="pw-for-tests-only"))
    assert client.get(URL).status_code == 403


def test_only_get(kb, staff):
    assert staff.post(URL).status_code == 405


def test_search_insights_are_included(kb, staff, monkeypatch, settings, tmp_path):
    template_dir = tmp_path / "templates"
    (template_dir / "kb").mkdir(parents=True)
    (template_dir / "kb" / "_search_insights.html").write_text(
        '<p data-search-total="{{ insights.total }}">'
        "{% for q, n in insights.top_queries %}{{ q }}={{ n }} {% endfor %}</p>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir, *settings.TEMPLATES[0]["DIRS"]]}]
    fake = {"top_queries": [("accessdenied", 7)], "zero_result_queries": [], "total": 7}
    monkeypatch.setattr("kb.search.log.search_insights", lambda days=30: fake)
    text = text_of(staff.get(URL))
    assert '<p data-search-total="7">accessdenied=7 </p>' in text


def test_sections_come_in_their_order_with_their_stylesheets(kb, staff):
    text = text_of(staff.get(URL))
    flows, feedback, searches = (
        text.index(marker) for marker in ('id="flows-title"', 'id="entry-votes-title"', 'id="search-insights-heading"')
    )
    assert flows < feedback < searches
    assert text.count("troubleshooter/wizard.css") == 1


@pytest.mark.parametrize("days", ["7", "365", "x", "99999999999999999999", ""])
def test_the_period_is_one_of_the_choices(kb, staff, days):
    response = staff.get(URL, {"days": days})
    assert response.status_code == 200
    chosen = days if days in ("7", "365") else "30"
    assert f'<option value="{chosen}" selected>' in text_of(response)
