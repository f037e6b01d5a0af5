"""webex.commandkeys, the one home of how a command key is written and read: ``p.php?AT=LI`` for the URL API,
``XMLService:user.GetUser`` for the XML API, ``?AT=LI`` for a URL API command whose service an answer did not say;
which services need the log-in's session; a command with its parameters as a person would paste it."""

import pytest

from webex.commandkeys import (
    CommandKeyError,
    command_key,
    is_url_key,
    is_xml_service,
    key_matches,
    key_parts,
    needs_session,
    service_of,
    split_command_key,
    with_params,
)


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


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("p.php?AT=LI", ("p.php", "LI")),
        ("?AT=LI", ("", "LI")),  # no service: split_command_key refuses it, key_parts does not
        ("XMLService:user.GetUser", ("XMLService", "user.GetUser")),
        ("  m.php?AT=SM  ", ("m.php", "SM")),
        ("p.php", ("", "")),
        ("", ("", "")),
        (None, ("", "")),
    ],
)
def test_key_parts_reads_any_key_and_never_raises(key, parts):
    assert key_parts(key) == parts


@pytest.mark.parametrize(
    ("key", "url"),
    [("p.php?AT=LI", True), ("?AT=LI", True), ("XMLService:user.GetUser", False), ("", False), (None, False)],
)
def test_is_url_key_tells_the_url_api_from_the_xml_api(key, url):
    assert is_url_key(key) is url


def test_with_params_writes_the_command_as_a_person_would_paste_it():
    assert with_params("p.php?AT=SM", {"DU": "20"}) == "p.php?AT=SM&DU=20"
    assert (
        with_params("p.php?AT=SM", [("DU", "20"), ("CONFNAME", "Team call")]) == "p.php?AT=SM&DU=20&CONFNAME=Team+call"
    )
    assert with_params("p.php?AT=SM", {}) == "p.php?AT=SM"
    assert with_params("p.php?AT=SM", None) == "p.php?AT=SM"
    assert with_params("XMLService:meeting.CreateMeeting", {"DU": "20"}) == "XMLService:meeting.CreateMeeting"


@pytest.mark.parametrize(
    ("key", "needed"),
    [
        ("m.php?AT=SM", True),
        ("https://acme.webex.com/acme/o.php?AT=ST&X=1", True),  # a pasted URL
        ("C.PHP?AT=AA", True),
        ("p.php?AT=LI", False),  # the log-in itself
        ("XMLService:user.GetUser", False),
        ("", False),
        (None, False),
    ],
)
def test_commands_of_m_o_and_c_php_need_the_log_in_session(key, needed):
    assert needs_session(key) is needed


def test_only_xmlservice_is_the_xml_apis_service():
    assert is_xml_service("XMLService") and is_xml_service(" xmlservice ")
    assert not is_xml_service("p.php") and not is_xml_service("") and not is_xml_service(None)


def test_site_change_names_what_a_command_changes_and_nothing_for_reads():
    from webex.commandkeys import site_change

    assert site_change("p.php?AT=SU", "Acme") == "creates a host account on Acme if the WebEx ID is free"
    assert site_change("p.php?AT=SU&WID=x&PID=1", "Acme").startswith("creates a host account")
    assert site_change("m.php?AT=dm", "Acme") == "deletes a meeting on Acme"
    for key in ("p.php?AT=EU", "m.php?AT=SM", "m.php?AT=IM"):
        assert site_change(key, "Acme")
    assert site_change("XMLService:user.CreateUser", "Acme") == "creates a user on Acme (user.CreateUser)"
    assert site_change("XMLService:meeting.DelMeeting", "Acme").startswith("deletes a meeting")
    assert site_change("XMLService:user.SetUser", "Acme").startswith("changes a user")
    for key in (
        "p.php?AT=LI",
        "m.php?AT=JM",
        "XMLService:user.GetUser",
        "XMLService:meeting.LstsummaryMeeting",
        "XMLService:user.Settings",
        "",
        "nonsense",
    ):
        assert site_change(key, "Acme") == "", key
