"""Issue 22's finish, in a real browser (Chromium through Playwright): every button and every chip inside one reads at
AA (4.5:1) in light and dark on key pages, the header keeps to two rows for an editor who may replay at 1280 px, and
the replay history fits a phone."""

import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from kb.tests.test_visual_browser import contrast

pytestmark = pytest.mark.browser

PASSWORD = "Finish-pass-22"
KEY_PAGES = [
    "/errors/AccessDenied/",
    "/errors/030002/",
    "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration",
    "/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration&du-20=worked",
    "/troubleshoot/log-in/?came-back=reason-code&li-code=other",
    "/replay/?command=XMLService%3Auser.GetUser",
]

# Each button, link-button and chip inside one: its text colour against the first opaque background behind it.
COLOURS = """() => {
  const opaque = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      const m = bg.match(/[\\d.]+/g);
      if (m && (m.length < 4 || parseFloat(m[3]) > 0.5)) return bg;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
  };
  const items = [...document.querySelectorAll('.button, button, .button code, button code, .badge')]
    .filter(el => el.offsetParent !== null && el.textContent.trim());
  return items.map(el => [el.tagName + '.' + el.className + ' ' + el.textContent.trim().slice(0, 30),
                          getComputedStyle(el).color, opaque(el)]);
}"""


@pytest.fixture
def desk_page(browser, live_server, transactional_db):
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    group, _ = Group.objects.get_or_create(name="KB editors")
    group.permissions.add(
        Permission.objects.get(codename="change_entry", content_type__app_label="kb"),
        Permission.objects.get(codename="can_replay"),
    )
    user = User.objects.create_user("editor-with-a-long-name", password=PASSWORD, is_staff=True)
    user.groups.add(group)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    yield page
    context.close()


def test_every_button_and_chip_reads_at_aa_in_both_schemes(desk_page, live_server):
    low, checked = [], set()
    for path in KEY_PAGES:
        desk_page.goto(live_server.url + path)
        for scheme in ("light", "dark"):
            desk_page.emulate_media(color_scheme=scheme)
            for label, fg, bg in desk_page.evaluate(COLOURS):
                checked.add(label)
                ratio = contrast(fg, bg)
                if ratio < 4.5:
                    low.append((path, scheme, label, round(ratio, 2)))
    assert low == []
    assert any("replay-button" in label and label.startswith("CODE") is False for label in checked)
    assert any(label.startswith("CODE.") for label in checked)  # the chips inside buttons were measured


def test_the_header_keeps_to_two_rows_for_an_editor_at_1280(desk_page, live_server):
    desk_page.goto(live_server.url + "/errors/AccessDenied/")
    rows = desk_page.evaluate(
        "() => new Set([...document.querySelectorAll('.header-row > *, .nav > li')]"
        ".filter(el => el.offsetParent !== null).map(el => Math.round(el.getBoundingClientRect().top / 8))).size"
    )
    tops = desk_page.evaluate(
        "() => [...document.querySelectorAll('.nav > li')].map(li => Math.round(li.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops  # the whole navigation on one line
    assert desk_page.locator(".site-header").bounding_box()["height"] < 130, rows


def test_the_replay_history_fits_a_phone(desk_page, live_server):
    from replay.models import ReplayRecord

    ReplayRecord.objects.create(
        site_label="Sandbox", command="p.php?AT=LI", outcome="fail", rs="BadWebExIDorPassword", actor="desk", api="url"
    )
    desk_page.set_viewport_size({"width": 390, "height": 844})
    desk_page.goto(live_server.url + "/replay/history/")
    assert desk_page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    pill = desk_page.locator(".outcome-badge").first.bounding_box()
    assert pill["height"] < 30  # one line
    when = desk_page.locator("td.when time").first.bounding_box()
    assert when["height"] < 30
