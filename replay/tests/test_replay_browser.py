"""The replay form in a real browser (Debian's Chromium): htmx swaps the result in below the form under the strict
CSP, the mode switch hides the other fieldsets, validation errors (400) are shown, and the password never reaches
the address bar."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from kb.tests.browser import wait_until  # page.wait_for_function polls with eval, which the CSP refuses
from replay.models import ReplayRecord, Site

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_page(browser):
    page = browser.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.csp_errors = errors
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    page.posts = posts
    yield page
    page.close()


@pytest.fixture
def logged_in(transactional_db, live_server, browser_page, django_user_model, sandbox_server):
    call_command("load_kb", verbosity=0)
    user = django_user_model.objects.create_user("desk", password="Desk-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="can_replay"))
    site = Site.objects.create(
        name="Sandbox",
        slug="sandbox",
        base_url=f"{sandbox_server.base_url}/sandbox/",
        xml_url=f"{sandbox_server.base_url}/WBXService/XMLService",
        timeout=5,
        allow_private_network=True,
        is_test_site=True,  # the sandbox: site-changing commands need no confirmation there
    )
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/?next=/replay/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "Desk-pass-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/replay/")
    return page, site


def test_htmx_replay_in_the_browser(logged_in, live_server, screenshots):
    page, site = logged_in
    secret = "Browser-secret-8731"
    assert page.is_hidden("fieldset[data-mode=xml]")
    page.check("input[name=mode][value=xml]")
    assert page.is_visible("fieldset[data-mode=xml]") and page.is_hidden("fieldset[data-mode=paste]")
    page.check("input[name=mode][value=paste]")
    page.select_option("#id_site", str(site.pk))
    page.fill("#id_command_text", "p.php?AT=LI&WID=host1")
    page.fill("#id_pw", secret)
    page.click(".replay-form button[type=submit]")
    page.wait_for_selector("#replay-result h2")
    assert "BadWebExIDorPassword" in page.inner_text("#replay-result")
    assert page.url == f"{live_server.url}/replay/"
    assert secret not in page.url and secret not in page.content()
    assert page.input_value("#id_pw") == ""
    # Fix the password, send again: the panel is swapped again.
    page.fill("#id_pw", "Sandbox-pass1")
    page.click(".replay-form button[type=submit]")
    page.locator("#replay-result h2", has_text="Success").wait_for()
    assert ReplayRecord.objects.count() == 2
    replays = [r for r in page.posts if r.url.endswith("/replay/")]
    assert len(replays) == 2 and all(r.headers.get("hx-request") == "true" for r in replays)
    screenshots(page, "result", scroll_to="#replay-result")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


def test_validation_errors_are_swapped_in(logged_in, screenshots):
    page, site = logged_in
    page.select_option("#id_site", str(site.pk))
    page.click(".replay-form button[type=submit]")
    page.wait_for_selector("#replay-panel .errorlist")
    assert "Paste the failing command" in page.inner_text("#replay-panel")
    assert ReplayRecord.objects.count() == 0
    replays = [r for r in page.posts if r.url.endswith("/replay/")]
    assert len(replays) == 1 and replays[0].headers.get("hx-request") == "true"  # swapped by htmx, not reloaded
    screenshots(page, "errors", scroll_to=".form-errors")


def test_the_result_is_scrolled_into_view_and_focused(logged_in, live_server, screenshots):
    page, site = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/replay/?command=m.php%3FAT%3DSM")
    page.fill("#id_login_wid", "host1")
    page.fill("#id_login_password", "Sandbox-pass1")
    page.click(".replay-form button[type=submit]")
    page.wait_for_selector("#replay-result h2")
    wait_until(page, "() => !!document.activeElement && document.activeElement.hasAttribute('data-replay-result')")
    top, height = page.evaluate("() => [document.activeElement.getBoundingClientRect().top, window.innerHeight]")
    assert 0 <= top < height / 2, "the result starts in the top half of the screen"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "none"  # clicked, not keyed
    assert "Retry with DU=20" in page.inner_text("#replay-result")
    screenshots(page, "result", scroll_to="#replay-result")
    # One click runs the next test: the form comes back filled in, DU=20 included, logged in first.
    page.click("[data-next-test=retry]")
    page.wait_for_url("**/replay/?*")
    assert page.input_value("#id_param_DU") == "20" and page.is_checked("#id_login_first")
    assert page.input_value("#id_login_wid") == "host1"


def test_login_fields_parameters_and_xml_templates_follow_the_choices(logged_in, live_server, screenshots):
    page, site = logged_in
    page.goto(f"{live_server.url}/replay/")
    assert page.input_value("#id_site") == str(site.pk)  # the one site
    assert page.is_hidden("#id_login_wid")  # log-in fields only when "Log in first" is on
    page.check("input[name=mode][value=build]")
    page.select_option("#id_command", "m.php?AT=JM")
    page.wait_for_selector("#id_param_MK")  # the command's parameters swapped in
    assert page.get_attribute("#id_param_MK", "aria-required") == "true"
    page.select_option("#id_command", "m.php?AT=SM")
    page.wait_for_selector("#id_param_DU")
    assert page.is_checked("#id_login_first") and page.is_visible("#id_login_wid")  # m.php needs a session
    screenshots(page, "build")
    page.uncheck("#id_login_first")  # the person's choice wins from then on
    assert page.is_hidden("#id_login_wid")
    page.select_option("#id_command", "m.php?AT=HM")
    page.wait_for_selector("#id_param_MK")
    assert not page.is_checked("#id_login_first")
    page.check("input[name=mode][value=xml]")
    page.select_option("#id_xml_template", "XMLService:user.GetUser")
    xml = page.input_value("#id_xml")
    assert 'xsi:type="java:com.webex.service.binding.user.GetUser"' in xml and "<securityContext>" in xml
    screenshots(page, "xml")
    assert not [e for e in page.csp_errors if "Content Security Policy" in e]


def test_history_and_detail_look_finished(logged_in, live_server, screenshots):
    page, site = logged_in
    page.fill("#id_command_text", "p.php?AT=LI&WID=host1")
    page.fill("#id_pw", "wrong-pass-1")
    page.click(".replay-form button[type=submit]")
    page.wait_for_selector("#replay-result h2")
    page.goto(f"{live_server.url}/replay/history/")
    screenshots(page, "history")
    page.click("tbody a")
    page.wait_for_selector(".replay-result")
    screenshots(page, "detail")
