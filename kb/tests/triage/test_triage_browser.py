"""The triage page in Chromium: paste a ticket, htmx swaps the card in under the box and puts its permalink in the
address bar; the page works the same without JavaScript (a POST, then the permalink)."""

from django.contrib.auth.models import Permission

from kb.tests.triage.helpers import SECRET, TICKET, XML_SECRET


def _log_in(page, site, django_user_model):
    user = django_user_model.objects.create_user("desk", password="Desk-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="use_triage"))
    page.goto(f"{site.url}/accounts/login/?next=/triage/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "Desk-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{site.url}/triage/")


def test_paste_a_ticket_and_get_the_card(page, site, django_user_model):
    _log_in(page, site, django_user_model)
    page.fill("#triage-text", TICKET)
    page.click(".triage-form button[type=submit]")
    page.wait_for_selector("#triage-result .triage-card", timeout=60_000)
    assert "/triage/" in page.url and page.url.rstrip("/") != f"{site.url}/triage"  # the permalink was pushed
    codes = page.locator(".triage-code .triage-value").all_inner_texts()
    assert codes == ["030002", "060001", "AccessDenied"]
    assert page.locator(".triage-missing").inner_text().count("Nothing") == 1
    card = page.locator("#triage-result").text_content()  # the ticket as kept (folded away) included
    assert SECRET not in card and XML_SECRET not in card
    assert "PW=•••" in page.locator(".triage-text pre").text_content()
    permalink = page.url
    page.goto(permalink)  # the permalink opens the card as a page
    assert page.locator(".triage-card .triage-code .triage-item").count() == 3


def test_without_javascript(browser, site, django_user_model):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        _log_in(page, site, django_user_model)
        page.fill("#triage-text", "They get 030002 when logging in")
        page.click(".triage-form button[type=submit]")
        page.wait_for_selector(".triage-card", timeout=60_000)
        assert "/triage/" in page.url and "The site name" in page.inner_text(".triage-missing")
    finally:
        context.close()
