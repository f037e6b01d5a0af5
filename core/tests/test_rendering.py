"""core.rendering: a page or, for htmx, its fragment after a <title>; a history restore gets the whole page; every
answer varies on HX-Request."""


def test_the_fragment_helper_swaps_the_base_and_varies_on_htmx(kb, client):
    page = client.get("/troubleshoot/")
    fragment = client.get("/troubleshoot/", headers={"HX-Request": "true"})
    restore = client.get("/troubleshoot/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    for response in (page, fragment, restore):
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]
    assert b'class="site-header"' in page.content and b'class="site-header"' in restore.content
    assert b'class="site-header"' not in fragment.content
    assert fragment.content.lstrip().startswith(b"<title>")
