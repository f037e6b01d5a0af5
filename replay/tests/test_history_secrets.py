"""The replay history's filter never keeps a password in the address (core/safequery.py), and htmx keeps no snapshot
of the page in sessionStorage."""

import uuid


def test_the_replay_history_filter_is_redirected(replay_client):
    secret = f"Qz{uuid.uuid4().hex[:10]}-{uuid.uuid4().hex[:10]}Vv"
    response = replay_client.get("/replay/history/", {"code": f"<pwd>{secret}</pwd>", "outcome": ""})
    assert response.status_code == 303
    assert not any(half in response["Location"] for half in secret.split("-"))
    assert replay_client.get(response["Location"]).status_code in (200, 400)
    html = replay_client.get("/replay/history/").content.decode()
    assert 'hx-history="false"' in html


def test_the_replay_form_keeps_htmx_history_off(replay_client):
    html = replay_client.get("/replay/").content.decode()
    assert 'type="password"' in html and 'hx-history="false"' in html


def test_the_log_in_page_keeps_htmx_history_off(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert 'type="password"' in html and 'hx-history="false"' in html
