"""Random input to every kb page and JSON endpoint: never a 500, and input never comes back unescaped."""

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Text that tries hard: markup, quotes, control characters, surrogates-free unicode, very long strings.
nasty = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "../../etc/passwd", "%00", "\x00"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1000, max_size=3000),
)
MARKER = "<zz-unescaped>"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_safe(response):
    assert response.status_code < 500, response.status_code
    if response.get("Content-Type", "").startswith("text/html"):
        assert MARKER not in response.content.decode("utf-8", "replace")


@FUZZ
@given(code=nasty)
def test_entry_page_never_fails(client, kb, code):
    assert_safe(client.get("/errors/" + quote(code + MARKER, safe="") + "/"))
    response = client.get("/api/errors/" + quote(code, safe="") + "/")
    assert response.status_code < 500


@FUZZ
@given(service=nasty, command=nasty)
def test_command_page_never_fails(client, kb, service, command):
    assert_safe(client.get(f"/commands/{quote(service + MARKER, safe='')}/{quote(command + MARKER, safe='')}/"))


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["api", "service", "command", "category", "x"]), nasty, max_size=4))
def test_list_filters_never_fail(client, kb, params):
    query = urlencode({k: v + MARKER for k, v in params.items()})
    assert_safe(client.get(f"/errors/?{query}"))
    assert client.get(f"/api/errors/?{query}").status_code in (200, 400)


@pytest.mark.parametrize("size", [300 * 1024])
def test_oversized_post_is_refused_clearly(client, kb, size):
    response = client.post("/accounts/login/", {"username": "x" * size, "password": "y"})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
