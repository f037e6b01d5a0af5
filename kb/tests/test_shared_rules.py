"""Rules with one home in kb: how a command key is written and read, and which cause of an entry fits an answer."""

import pytest

from kb.models import Api, Cause, Command, Entry, Service
from kb.search import search
from webex.commandkeys import CommandKeyError, command_key, key_matches, service_of, split_command_key


def test_command_keys_are_written_and_read_one_way():
    assert command_key("p.php", "LI") == "p.php?AT=LI"
    assert command_key("XMLService", "user.GetUser") == "XMLService:user.GetUser"
    assert command_key("", "LI", xml=False) == "?AT=LI"
    assert split_command_key("m.php?AT=SM") == ("m.php", "SM")
    assert split_command_key("XMLService:meeting.CreateMeeting") == ("XMLService", "meeting.CreateMeeting")
    for bad in ("", "p.php", "?AT=LI", "p.php?AT=", ":user.GetUser"):
        with pytest.raises(CommandKeyError, match="write it as p.php\\?AT=LI or XMLService:user.GetUser"):
            split_command_key(bad)
    assert service_of("o.php?AT=ST") == "o.php"
    assert service_of("?AT=LI") == ""
    assert service_of("XMLService:user.GetUser") == "XMLService"


def test_a_key_without_its_service_matches_that_command_of_any_service():
    assert key_matches("p.php?AT=LI", "?AT=LI")
    assert key_matches("p.php?AT=LI", "p.php?AT=li")
    assert not key_matches("p.php?AT=LI", "m.php?AT=LI")
    assert not key_matches("p.php?AT=LO", "?AT=LI")
    assert key_matches("XMLService:user.GetUser", "XMLService:user.getuser")
    assert not key_matches("XMLService:user.GetUser", "?AT=LI")
    assert not key_matches("", "?AT=LI")


@pytest.fixture
def many_causes(kb):
    url = Service.objects.get(name="m.php")
    entry = Entry.objects.create(
        code="RuleTest", title="t", summary="s", api=Api.BOTH, category="service", source="test", confidence="low"
    )
    sm = Command.objects.get_by_natural_key("m.php?AT=SM")
    li = Command.objects.get_by_natural_key("p.php?AT=LI")
    get_user = Command.objects.get_by_natural_key("XMLService:user.GetUser")
    Cause.objects.create(entry=entry, slug="first-url", api="url", title="a", meaning="m", when_seen="w")
    by_service = Cause.objects.create(entry=entry, slug="any-m", api="url", title="b", meaning="m", when_seen="w")
    by_service.services.add(url)
    on_li = Cause.objects.create(entry=entry, slug="on-li", api="url", title="c", meaning="m", when_seen="w")
    on_li.commands.add(li)
    on_sm_xml = Cause.objects.create(entry=entry, slug="xml", api="xml", title="d", meaning="m", when_seen="w")
    on_sm_xml.commands.add(get_user)
    both = Cause.objects.create(entry=entry, slug="both-sm", api="both", title="e", meaning="m", when_seen="w")
    both.commands.add(sm)
    return Entry.objects.with_cause_links().get(pk=entry.pk)


@pytest.mark.parametrize(
    "api,command,slug",
    [
        ("url", "p.php?AT=LI", "on-li"),  # names the command
        ("url", "?AT=LI", "on-li"),  # a back URL without its service file
        ("url", "m.php?AT=SM", "both-sm"),  # a cause of both APIs fits the URL API
        ("url", "m.php?AT=LM", "any-m"),  # no cause names LM: the one seen on any m.php command
        ("url", "c.php?AT=XX", "first-url"),  # nothing fits better: the first of the API
        ("xml", "XMLService:user.GetUser", "xml"),
        ("xml", "XMLService:meeting.GetMeeting", "xml"),  # the first XML cause
        ("xml", "m.php?AT=SM", "both-sm"),
        (None, "p.php?AT=LI", "on-li"),  # API unknown: every cause is considered
        (None, "", "first-url"),
    ],
)
def test_the_cause_that_fits_an_answer(many_causes, api, command, slug):
    assert many_causes.cause_for(api, command).slug == slug


def test_search_and_the_entry_name_the_same_cause_for_a_pasted_xml_answer(kb):
    pasted = (
        '<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header><serv:response>'
        "<serv:result>FAILURE</serv:result><serv:reason>Access denied</serv:reason>"
        "<serv:exceptionID>AccessDenied</serv:exceptionID></serv:response></serv:header>"
        '<serv:body><serv:bodyContent xsi:type="use:getUserResponse"/></serv:body></serv:message>'
    )
    detected = search(pasted, use_cache=False).detected
    assert detected is not None and detected.entry.code == "AccessDenied"
    expected = Entry.objects.with_cause_links().get(code="AccessDenied").cause_for(detected.api, detected.command)
    assert detected.cause == expected
    assert expected.slug == "xml-privilege"


def test_a_suggestion_is_recorded_once_and_without_secrets(kb, django_user_model):
    from kb.models import Suggestion

    user = django_user_model.objects.create_user("sugg", password="x-Long-pass-1")
    first, created = Suggestion.objects.record(
        "p.php?AT=LI&PW=hunter2&RS=NewCode", note="seen with MPW=abc123", origin="search", user=user
    )
    assert created and first.user == user
    assert "hunter2" not in first.query and "abc123" not in first.note
    again, created = Suggestion.objects.record(
        "P.PHP?AT=LI&PW=other&RS=NewCode", note="seen with MPW=zzz999", origin="search"
    )
    assert not created and again.pk == first.pk
    _, created = Suggestion.objects.record("p.php?AT=LI&PW=x&RS=NewCode", note="seen with MPW=y", origin="replay")
    assert created
    assert Suggestion.objects.count() == 2


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
