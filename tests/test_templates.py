"""Template and stylesheet hygiene that a page test would only catch on the one page it opens: Django comments, the
icon link, labels without Django's colons, and the style rules the browser tests measure (secondary buttons, chips,
focus after a script moves it, <mark> in dark mode)."""

import re
from pathlib import Path

from django.conf import settings

CSS = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()


def test_no_template_holds_a_multi_line_django_comment():
    """``{# … #}`` is one line only: spread over two, Django prints it to the page (it once showed on /search/)."""
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "{#" in line:
                assert "#}" in line[line.index("{#") :], f"{path}:{number}"


def test_pages_link_an_svg_icon(client, kb):
    assert re.search(
        r'<link rel="icon" href="/static/img/favicon[^"]*\.svg" type="image/svg\+xml">',
        client.get("/").content.decode(),
    )


def test_labels_carry_no_colons(client, kb, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("desk")
    user.user_permissions.add(Permission.objects.get(codename="can_replay"))
    client.force_login(user)
    for url in ("/replay/", "/replay/history/", "/errors/", "/errors/AccessDenied/feedback/"):
        html = client.get(url).content.decode()
        labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
        assert labels and not [text for text in labels if re.sub(r"<[^>]+>", "", text).strip().endswith(":")], url


def test_secondary_buttons_win_over_primary_ones():
    assert ".button.button-secondary, button.button.button-secondary { background: transparent;" in CSS


def test_chips_do_not_break_inside():
    rule = re.search(r"\ncode \{([^}]*)\}", CSS)[1]
    assert "white-space: nowrap" in rule and "anywhere" not in rule


def test_script_focus_shows_no_box_after_a_mouse_click():
    assert '[tabindex="-1"]:focus:not(:focus-visible) { outline: none; }' in CSS
    wizard = (settings.BASE_DIR / "static" / "troubleshooter" / "wizard.css").read_text()
    assert "[data-wizard-focus]:focus {" not in wizard and "[data-wizard-focus]:focus-visible" in wizard


def test_mark_has_its_own_text_colour():
    assert "mark { background: var(--mark); color: var(--mark-fg);" in CSS
