"""The models' natural keys, lookups and constraints; which cause of an entry fits an answer (``Entry.cause_for``,
the same one search names); a suggestion recorded once and without secrets."""

import pytest
from django.db import IntegrityError, transaction

from kb.models import Alias, Api, Cause, Command, Entry, KbState, Service
from kb.search import search


def test_command_keys_read_as_written(kb):
    assert Command.split_key("p.php?AT=LI") == ("p.php", "LI")
    assert Command.split_key("XMLService:user.GetUser") == ("XMLService", "user.GetUser")
    for bad in ["", "p.php", "?AT=LI", "p.php?AT="]:
        with pytest.raises(ValueError, match="is not a command"):
            Command.split_key(bad)
    command = Command.objects.get_by_natural_key("m.php?AT=SM")
    assert command.key == "m.php?AT=SM"
    assert command.natural_key() == ("m.php?AT=SM",)
    assert command.get_absolute_url() == "/commands/m.php/SM/"
    assert Command.objects.get_by_natural_key("XMLService:user.GetUser").key == "XMLService:user.GetUser"


def test_natural_keys(kb):
    assert Service.objects.get_by_natural_key("p.php").natural_key() == ("p.php",)
    assert Entry.objects.get_by_natural_key("AccessDenied").natural_key() == ("AccessDenied",)
    cause = Cause.objects.get_by_natural_key("AccessDenied", "session-expired")
    assert cause.natural_key() == ("AccessDenied", "session-expired")
    assert cause.get_absolute_url() == "/errors/AccessDenied/#cause-session-expired"


@pytest.mark.parametrize(
    "text,code,how",
    [
        ("AccessDenied", "AccessDenied", "exact"),
        ("ACCESSDENIED", "AccessDenied", "case"),
        ("access denied", "AccessDenied", "alias"),
        ("sitedonotsupportthismeetingtype", "NoMeetingTypeSupport", "alias"),
        ("030002", "030002", "exact"),
        ("Nope", None, None),
        ("", None, None),
        ("x" * 500, None, None),
    ],
)
def test_resolve(kb, text, code, how):
    entry, found_how = Entry.objects.resolve(text)
    assert (entry.code if entry else None, found_how) == (code, how)


def test_resolve_skips_retired_when_asked(kb):
    Entry.objects.filter(code="AlreadyLogon").update(retired=True)
    assert Entry.objects.current().resolve("AlreadyLogon") == (None, None)
    assert Entry.objects.resolve("AlreadyLogon")[0].code == "AlreadyLogon"


def test_closest_codes(kb):
    assert Entry.objects.closest("BadWebExIDorPasword")[0] == "BadWebExIDorPassword"
    assert "TheDurationIsExceedTheMaxDuration" in Entry.objects.closest("theduration")
    assert Entry.objects.closest("") == []


def test_codes_are_unique_ignoring_case(kb):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            code="accessdenied", title="t", summary="s", api="url", category="service", source="x", confidence="low"
        )


def test_aliases_are_unique_ignoring_case(kb):
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(entry=Entry.objects.get(code="Unknown"), alias="ACCESS DENIED")


def test_any_change_moves_the_kb_generation(kb):
    before = KbState.current()
    entry = Entry.objects.get(code="Unknown")
    entry.title = "Changed"
    entry.save()
    middle = KbState.current()
    entry.causes.first().commands.clear()
    assert len({before, middle, KbState.current()}) == 3


def test_filters(kb):
    assert set(Entry.objects.for_api("xml").values_list("code", flat=True)) >= {"030002", "AccessDenied"}
    assert "AlreadyLogon" not in Entry.objects.for_api("xml").values_list("code", flat=True)
    codes = set(Entry.objects.for_service("c.php").values_list("code", flat=True))
    assert "AccessDenied" in codes
    sm = Command.objects.get_by_natural_key("m.php?AT=SM")
    assert "TheDurationIsExceedTheMaxDuration" in Entry.objects.for_command(sm).values_list("code", flat=True)


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
