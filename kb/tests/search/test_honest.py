"""Honest search: a code that is not in the knowledge base is said to be missing, never corrected into another code
nor shown as the answer; the miss is recorded for /insights/; typo correction only fixes unknown words, never into
their opposite, and never touches pasted URLs, XML, paths or code tokens. One test per rule, named after it."""

import pytest
from django.contrib.auth import get_user_model

from kb.models import Alias, Cause, Entry, SearchLog
from kb.search import lexicon, search

pytestmark = pytest.mark.usefixtures("kb")


def codes(response):
    return [r.code for r in response.results]


def make_entry(code, title, summary="", api="url"):
    """An entry whose words give typo correction a tempting candidate."""
    entry = Entry.objects.create(
        code=code, title=title, summary=summary or title, api=api, category="service", source="a test", confidence="low"
    )
    Cause.objects.create(entry=entry, slug="one", api=api, title=title, meaning=summary or title, when_seen="w")
    return entry


# ----------------------------------------------------------------- missing codes


@pytest.mark.parametrize("query", ["030099", " 030099 ", "error 030099 when creating a user"])
def test_a_missing_six_digit_code_is_never_corrected_nor_answered(query):
    response = search(query)
    assert response.missing_code == "030099"
    assert response.corrected is None
    assert "030099 is not in the knowledge base yet" in response.message
    assert all(
        r.how not in ("code", "alias", "code-inside", "corrected", "prefix", "similar") for r in response.results
    )
    assert not {"030001", "030002", "030004", "030005", "030047"} & set(codes(response)[:1]) or query != "030099"


def test_a_missing_six_digit_code_lists_its_family_from_the_kb_not_as_results():
    response = search("030099")
    assert response.results == []
    family = response.family
    assert family.prefix == "03" and family.label == "user service"
    assert [code for code, _title in family.codes] == [
        "030001",
        "030002",
        "030004",
        "030005",
        "030006",
        "030007",
        "030008",
        "030047",
        "030048",
        "030103",
        "030104",
        "030105",
    ]
    assert "user.GetUser" in family.operations


@pytest.mark.parametrize(
    ("query", "prefix", "label", "some"),
    [("000099", "00", "general", "000015"), ("060099", "06", "meeting service", "060026")],
)
def test_families_are_computed_from_the_codes_we_have(query, prefix, label, some):
    family = search(query).family
    assert (family.prefix, family.label) == (prefix, label)
    assert some in [code for code, _ in family.codes]


def test_a_prefix_we_have_no_codes_for_has_no_family():
    response = search("990001")
    assert response.missing_code == "990001" and response.family is None


def test_a_new_code_moves_the_family_at_once():
    make_entry("050001", "Some service error", api="xml")  # no shipped code starts with 05
    assert search("050099").family is None  # one code shows no grouping
    make_entry("050002", "Another service error", api="xml")
    assert [c for c, _ in search("050099").family.codes] == ["050001", "050002"]


@pytest.mark.parametrize("query", ["InvalidSiteID", "AccessDnied99", "ExceededHostLimitForSite"])
def test_a_missing_camelcase_code_is_never_corrected_and_similar_codes_are_listed_apart(query):
    response = search(query)
    assert response.results == [] and response.corrected is None
    assert response.missing_code == query
    assert f"{query} is not in the knowledge base yet" in response.message


def test_a_near_miss_is_only_a_similar_code():
    # One edit from a known code: "did you mean", first, but never the diagnosis and never said to be missing.
    response = search("BadWebExIDorPasswrd")
    assert [e.code for e in response.similar] == ["BadWebExIDorPassword"]
    assert [r.match for r in response.results] == ["similar"]
    assert not response.confident and not response.missing_code


def test_known_codes_aliases_and_code_prefixes_are_not_missing():
    for query in ("030002", "AccessDenied", "BadWebIDorPassword", "TheDuration", "badweb"):
        assert search(query).missing_code == "", query


def test_the_page_says_so_offers_to_suggest_it_and_shows_the_family(client):
    body = client.get("/search/", {"q": "030099"}).content.decode()
    assert "is not in the knowledge base yet" in body
    assert 'action="/errors/030099/suggest-code/"' in body
    assert "WebEx does not document this grouping" in body
    assert "Other codes of this family" in body and 'href="/errors/030001/"' in body
    assert "search-list" not in body  # no result list: nothing is offered as the answer


def test_the_page_lists_similar_codes_under_their_own_heading(client):
    body = client.get("/search/", {"q": "InvalidSiteID"}, HTTP_HX_REQUEST="true").content.decode()
    assert "InvalidSiteID</code> is not in the knowledge base yet" in body
    assert "Codes that look similar" in body
    assert "search-list" not in body
    assert 'action="/errors/InvalidSiteID/suggest-code/"' in body


def test_a_missing_code_is_recorded_and_listed_on_insights(client):
    client.get("/search/", {"q": "030099"})
    client.post("/search/settled/", {"q": "InvalidSiteID"})
    client.get("/api/search/", {"q": "https://a.webex.com/a/back.php?AT=LI&ST=FAIL&RS=NoSuchCodeAtAll"})
    client.get("/search/", {"q": "AccessDenied"})
    logged = dict(SearchLog.objects.values_list("query", "missing_code"))
    assert logged["030099"] == "030099"
    assert logged["invalidsiteid"] == "InvalidSiteID"
    assert logged["pasted: ?AT=LI FAIL NoSuchCodeAtAll"] == "NoSuchCodeAtAll"
    assert logged["accessdenied"] == ""
    staff = get_user_model().objects.create_user("staff-honest", password="x-unused-9", is_staff=True)
    client.force_login(staff)
    page = client.get("/insights/").content.decode()
    assert (
        "Codes people looked for that we don&#x27;t have" in page
        or "Codes people looked for that we don't have" in page
    )
    for code in ("030099", "InvalidSiteID", "NoSuchCodeAtAll"):
        assert f'data-missing-code="{code}"' in page


def test_a_pasted_code_we_lack_is_missing_and_never_the_diagnosis():
    response = search("<serv:result>FAILURE</serv:result><serv:exceptionID>030099</serv:exceptionID>")
    assert response.detected.code == "030099" and response.detected.entry is None
    assert response.missing_code == "030099" and response.family.prefix == "03"
    assert all(r.how != "detected" for r in response.results)


# ----------------------------------------------------------------- typo correction rules


def test_rule_unknown_words_are_still_corrected():
    response = search("sessoin timed out")  # "sesion" itself is a known word: Spanish client messages use it
    assert response.corrected == "session timed out"
    assert codes(response)[0] == "AccessDenied"


def test_rule_a_word_the_kb_knows_is_never_corrected():
    make_entry("LayerError", "Layer missing")
    make_entry("PlayerError", "Player crashed")
    # "layer" is a knowledge base word one edit from "player": kept as typed (nothing matches both).
    response = search("layer crashed")
    assert response.corrected is None


def test_rule_a_common_english_word_is_never_corrected():
    make_entry("WorldError", "World region refused")  # "world" is in the vocabulary, "would" is not
    response = search("would")
    assert response.corrected is None
    assert "WorldError" not in [r.code for r in response.results if r.how == "corrected"]


@pytest.mark.parametrize(
    ("word", "opposite"), [("inactive", "active"), ("disabled", "enabled"), ("unlocked", "locked")]
)
def test_rule_a_meaning_word_is_never_corrected(word, opposite):
    make_entry("OnlyTheOpposite", f"Account {opposite}")
    Alias.objects.filter(entry__code="OnlyTheOpposite").delete()
    response = search(f"{word} zqxj")
    assert response.corrected is None or opposite not in response.corrected.split()
    assert word in lexicon.protected()


def test_rule_a_correction_never_flips_a_negation():
    make_entry("VerifiedOnly", "Address verified")  # "verified" is known, "unverified" is not
    response = search("unverified")
    assert response.corrected is None
    assert lexicon.flips_meaning("unverified", "verified")
    assert lexicon.flips_meaning("inactve", "active")  # a typo of the opposite is still the opposite
    assert not lexicon.flips_meaning("sesion", "session")


def test_rule_a_url_is_never_corrected():
    response = search("https://acme.webex.com/acme/wbxservce/sessoin")
    assert response.corrected is None
    assert "http" not in (response.corrected or "")


def test_rule_https_never_becomes_http():
    make_entry("PlainHttp", "Sent over http")
    response = search("https")
    assert response.corrected is None


def test_rule_xml_is_never_corrected():
    response = search("<sessoin>expird</sessoin>")
    assert response.corrected is None


def test_rule_a_path_is_never_corrected():
    response = search("/webex/sessoin/timed")
    assert response.corrected is None


def test_rule_a_parameter_is_never_corrected():
    response = search("sessoin=timedout")
    assert response.corrected is None


def test_rule_a_query_string_is_never_corrected():
    response = search("sessoin?timedout")
    assert response.corrected is None


def test_rule_a_php_name_is_never_corrected():
    response = search("sessoin.php")
    assert response.corrected is None


def test_rule_a_word_with_digits_mixed_in_is_never_corrected():
    response = search("sessoin2 timed out")
    assert response.corrected is None


def test_rule_a_camelcase_token_is_never_corrected():
    response = search("SesionTimedOut")
    assert response.corrected is None and response.missing_code == "SesionTimedOut"


def test_rule_a_six_digit_number_is_never_corrected():
    response = search("060003")
    assert response.corrected is None and response.missing_code == "060003"
    assert "060001" not in codes(response)
