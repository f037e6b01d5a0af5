"""The shipped catalogue: every seed code and alias resolves, and the facts are exact."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from kb.models import Entry

SEED_CODES = [
    "AccessDenied",
    "AlreadyLogon",
    "AutoLoginDisabled",
    "BadWebExIDorPassword",
    "DoNotSupportAPI",
    "EmailConflict",
    "NoMeetingTypeSupport",
    "PartnerIDError",
    "TheDurationIsExceedTheMaxDuration",
    "Unknown",
    "WebExIDConflict",
]
# Other names of seed entries: alias -> canonical code.
SEED_ALIASES = {
    "SiteDoNotSupportThisMeetingType": "NoMeetingTypeSupport",
    "BadWebIDorPassword": "BadWebExIDorPassword",
    "WebexIDConflict": "WebExIDConflict",
    "Access Denied": "AccessDenied",
}


@pytest.mark.parametrize("code", SEED_CODES)
def test_seed_code_has_its_page(client, kb, code):
    response = client.get(f"/errors/{code}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<code>{code}</code>" in page
    entry = Entry.objects.get(code=code)
    assert entry.causes.exists()
    for cause in entry.causes.all():
        assert cause.steps.exists(), f"{code}/{cause.slug} has no steps"


@pytest.mark.parametrize("code", SEED_CODES)
def test_lowercase_url_redirects_permanently_to_canonical(client, kb, code):
    response = client.get(f"/errors/{code.lower()}/")
    if code.lower() == code:
        assert response.status_code == 200
        return
    assert response.status_code == 301
    assert response["Location"] == f"/errors/{code}/"


@pytest.mark.parametrize("alias,code", SEED_ALIASES.items())
def test_alias_redirects_to_its_entry(client, kb, alias, code):
    response = client.get(f"/errors/{alias}/")
    assert response.status_code == 301
    location = response["Location"]
    assert urlsplit(location).path == f"/errors/{code}/"
    if alias.lower() != code.lower():  # an alias (not a case variant of the code) says where the reader came from
        assert parse_qs(urlsplit(location).query) == {"from": [alias]}
    assert client.get(f"/errors/{alias.upper()}/")["Location"] == location


def test_twelve_seed_codes_under_eleven_headings(kb):
    codes = set(SEED_CODES) | {"SiteDoNotSupportThisMeetingType"}
    assert len(codes) == 12
    for code in codes:
        entry, _ = Entry.objects.resolve(code)
        assert entry is not None, code


def test_access_denied_has_a_url_and_an_xml_cause(kb):
    entry = Entry.objects.get(code="AccessDenied")
    causes = {c.slug: c for c in entry.causes.all()}
    assert set(causes) == {"session-expired", "xml-privilege"}
    assert causes["session-expired"].api == "url"
    assert causes["xml-privilege"].api == "xml"
    assert "30 minutes" in causes["session-expired"].meaning + causes["session-expired"].when_seen
    services = {s.name for s in causes["session-expired"].services.all()}
    assert {"m.php", "o.php", "c.php"} <= services
    steps = " ".join(s.text for s in causes["session-expired"].steps.all())
    assert "p.php?AT=LI" in steps


def all_text(entry):
    parts = [entry.summary]
    for cause in entry.causes.all():
        parts += [cause.meaning, cause.when_seen, *[s.text for s in cause.steps.all()]]
    return "\n".join(parts)


def test_duration_steps_are_exact(kb):
    entry = Entry.objects.get(code="TheDurationIsExceedTheMaxDuration")
    steps = [s.text for s in entry.causes.get().steps.all()]
    joined = " ".join(steps)
    assert "DU=20" in joined
    assert "15" in joined
    assert joined.index("DU=20") < joined.index("15")
    assert "60 minutes" in all_text(entry)
    commands = {c.key for c in entry.causes.get().commands.all()}
    assert commands == {"m.php?AT=SM", "m.php?AT=IM"}


def test_bad_password_steps_refer_to_webexidconflict_and_site_admin(client, kb):
    entry = Entry.objects.get(code="BadWebExIDorPassword")
    text = all_text(entry)
    assert "WebExIDConflict" in text
    assert "AT=SU" in text
    assert "http://company.webex.com/webex/admin.php" in text
    assert "WebExIDConflict" in {r.code for r in entry.related.all()}
    page = client.get("/errors/BadWebExIDorPassword/").content.decode()
    assert '<a href="/errors/WebExIDConflict/"><code>WebExIDConflict</code></a>' in page


@pytest.mark.parametrize(
    "code,commands",
    [
        ("AlreadyLogon", {"p.php?AT=LI"}),
        ("AutoLoginDisabled", {"p.php?AT=SU", "p.php?AT=LI", "p.php?AT=LO"}),
        ("BadWebExIDorPassword", {"p.php?AT=LI"}),
        ("EmailConflict", {"p.php?AT=SU"}),
        ("NoMeetingTypeSupport", {"p.php?AT=SU", "m.php?AT=SM", "m.php?AT=IM"}),
        ("PartnerIDError", {"p.php?AT=SU"}),
        ("Unknown", {"p.php?AT=SU"}),
        ("WebExIDConflict", {"p.php?AT=SU"}),
    ],
)
def test_seed_commands_are_linked(kb, code, commands):
    entry = Entry.objects.get(code=code)
    linked = {c.key for cause in entry.causes.all() for c in cause.commands.all()}
    assert commands <= linked


def test_meeting_type_points_at_site_admin(kb):
    text = all_text(Entry.objects.get(code="NoMeetingTypeSupport"))
    assert "http://company.webex.com/webex/admin.php" in text
    assert "Supported Meetings" in text


def test_email_facts(kb):
    assert "name@domain.com" in all_text(Entry.objects.get(code="Unknown"))
    assert "123" in all_text(Entry.objects.get(code="EmailConflict"))


def test_reference_codes_are_marked_with_source_and_confidence(kb):
    for code in ["030002", "060001", "000001", "MeetingNotInProgress", "InvalidMeetingKeyOrPassword"]:
        entry = Entry.objects.get(code=code)
        assert entry.source
        assert entry.confidence in {"high", "medium", "low"}
    assert Entry.objects.get(code="030002").api == "xml"
    assert not Entry.objects.filter(code="010000").exists(), "010000 was never found in any source"


@pytest.mark.parametrize("code", [*SEED_CODES, "030002"])
def test_json_and_explain_agree_with_the_page(client, kb, code, capsys):
    data = client.get(f"/api/errors/{code}/").json()
    page = client.get(f"/errors/{code}/").content.decode()
    call_command("explain", code)
    terminal = capsys.readouterr().out
    assert data["code"] == code
    for cause in data["causes"]:
        assert cause["title"] in terminal
        for step in cause["steps"]:
            assert " ".join(step.split()[:4]) in " ".join(terminal.split())
        assert html.escape(cause["title"]) in page
    assert data["title"] in terminal
