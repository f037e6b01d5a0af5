"""An alias link (or a search for an alias) lands on the entry, which says "Redirected from <alias>"; the shared
anonymous page cache never holds that line."""

import pytest

pytestmark = pytest.mark.usefixtures("kb")


def html(response):
    return response.content.decode()


def test_alias_link_says_redirected_from(client):
    response = client.get("/errors/BadWebIDorPassword/")
    assert response.status_code == 301
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Redirected from <code>BadWebIDorPassword</code>" in html(page)


def test_redirected_from_names_only_a_real_alias(client):
    assert "Redirected from" not in html(client.get("/errors/BadWebExIDorPassword/?from=<b>Anything</b>"))
    assert "Redirected from" not in html(client.get("/errors/AccessDenied/?from=BadWebIDorPassword"))
    assert "Redirected from <code>BadWebIDorPassword</code>" in html(
        client.get("/errors/BadWebExIDorPassword/?from=badwebidorpassword")
    )


def test_shared_anonymous_page_never_says_redirected_from(client):
    client.get("/errors/BadWebExIDorPassword/?from=BadWebIDorPassword")
    plain = client.get("/errors/BadWebExIDorPassword/")
    assert "Redirected from" not in html(plain)
    assert "Redirected from" in html(client.get("/errors/BadWebExIDorPassword/?from=BadWebIDorPassword"))
    assert html(client.get("/errors/BadWebExIDorPassword/")) == html(plain)


def test_redirected_from_for_a_logged_in_reader(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("helpdesk"))
    page = client.get("/errors/BadWebIDorPassword/", follow=True)
    assert "Redirected from <code>BadWebIDorPassword</code>" in html(page)
