"""The models' natural keys, lookups and constraints."""

import pytest
from django.db import IntegrityError, transaction

from kb.models import Alias, Cause, Command, Entry, KbState, Service


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
