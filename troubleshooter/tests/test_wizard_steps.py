"""Every step is a URL: cold opens, canonical addresses, breadcrumbs that change an answer, htmx fragments."""

import html
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from troubleshooter.models import Flow, WizardEvent

LOGIN = "/troubleshoot/log-in/"
BAD_ID = f"{LOGIN}?came-back=reason-code&li-code=bad-id"
OUTCOME = f"{BAD_ID}&su-test=webex-id-conflict"


def text_of(response):
    return response.content.decode()


def crumbs(text):
    """The answers shown as breadcrumbs, in order."""
    return [html.unescape(a) for a in re.findall(r'data-crumb="\d+">([^<]*)<', text)]


def choices(text):
    return re.findall(r'data-choice="([^"]+)"', text)


def links(text):
    pairs = re.findall(r'href="([^"]+)" hx-get="[^"]+" data-choice="([^"]+)"', text)
    return {slug: html.unescape(href) for href, slug in pairs}


@pytest.mark.parametrize(
    "url",
    ["/troubleshoot/", LOGIN, f"{LOGIN}?came-back=reason-code", BAD_ID, OUTCOME, f"{OUTCOME}&change=li-code"],
)
def test_a_step_url_opened_cold_in_a_new_client_shows_the_same_step_and_answers(kb, url):
    first, second = Client(), Client()
    a, b = first.get(url), second.get(url)
    assert a.status_code == b.status_code == 200
    assert crumbs(text_of(a)) == crumbs(text_of(b))
    assert choices(text_of(a)) == choices(text_of(b))
    assert re.findall(r'data-(?:outcome|question)="[^"]*"', text_of(a)) == re.findall(
        r'data-(?:outcome|question)="[^"]*"', text_of(b)
    )


def test_the_answers_so_far_are_breadcrumbs(kb, client):
    text = text_of(client.get(BAD_ID))
    assert crumbs(text) == [
        "Log a host in",
        "I was sent back to my back URL (BU) with ST=FAIL and a reason code RS=… in the address",
        "RS=BadWebExIDorPassword (or BadWebIDorPassword)",
    ]
    assert 'data-question="su-test"' in text


def test_each_choice_is_a_plain_link_carrying_the_answers(kb, client):
    text = text_of(client.get(BAD_ID))
    assert links(text)["webex-id-conflict"] == OUTCOME
    assert "<form" not in text.split('data-question="su-test"')[1].split("</section>")[0]


def test_answers_in_another_order_or_that_do_not_apply_redirect_to_the_tidy_address(kb, client):
    response = client.get(f"{LOGIN}?li-code=bad-id&came-back=reason-code&xml-code=other&junk=1")
    assert response.status_code == 302
    assert response["Location"] == BAD_ID


def test_changing_an_earlier_answer_keeps_later_answers_that_still_apply(kb, client):
    # The breadcrumb for "What came back?" opens that question with the later answers kept.
    page = text_of(client.get(OUTCOME))
    change_url = html.unescape(re.search(r'href="([^"]+)" hx-get="[^"]+" data-crumb="1"', page).group(1))
    assert change_url == f"{OUTCOME}&change=came-back"
    step = text_of(client.get(change_url))
    assert 'data-question="came-back"' in step
    assert 'aria-current="true"' in step and "your answer" in step
    assert "Your later answers" in step
    # Picking "an error page" now: its page names a code, which leads to the same code question,
    # so the later answers (li-code=bad-id, su-test=webex-id-conflict) still apply.
    error_page = links(step)["error-page"]
    assert "li-code=bad-id" in error_page and "su-test=webex-id-conflict" in error_page
    names_code = links(text_of(client.get(error_page, follow=True)))["names-code"]
    final = client.get(names_code, follow=True)
    assert 'data-outcome="wrong-credentials"' in text_of(final)
    assert final.redirect_chain == []  # the link was already the tidy address


def test_changing_to_a_branch_where_later_answers_do_not_apply_drops_them(kb, client):
    step = text_of(client.get(f"{OUTCOME}&change=li-code"))
    already = links(step)["already"]
    response = client.get(already)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?came-back=reason-code&li-code=already"
    assert 'data-entry="AlreadyLogon"' in text_of(client.get(response["Location"]))


def test_changing_what_you_were_doing_keeps_answers_that_apply_in_the_other_flow(kb, client):
    page = text_of(client.get(OUTCOME))
    start_url = html.unescape(re.search(r'href="([^"]+)" hx-get="[^"]+" data-crumb="0"', page).group(1))
    start = text_of(client.get(start_url))
    assert "What were you trying to do?" in start and "changing now" in start
    log_out = links(start)["log-out"]
    response = client.get(log_out)
    assert response["Location"] == "/troubleshoot/log-out/?came-back=reason-code"
    assert 'data-question="lo-code"' in text_of(client.get(response["Location"]))


def test_an_answer_that_no_longer_exists_asks_again_and_keeps_the_rest(kb, client):
    response = client.get(f"{LOGIN}?came-back=retired-choice&li-code=bad-id")
    text = text_of(response)
    assert response.status_code == 200
    assert "no longer offered" in text
    assert 'data-question="came-back"' in text
    assert "li-code=bad-id" in links(text)["reason-code"]


def test_malformed_answers_are_ignored_not_an_error(kb, client):
    response = client.get(f"{LOGIN}?came-back=<script>&li-code=" + "x" * 500, follow=True)
    assert response.status_code == 200
    assert 'data-question="came-back"' in text_of(response)
    assert "<script>" not in text_of(response)


def test_unknown_and_unpublished_flows_are_not_found(kb, client):
    assert client.get("/troubleshoot/no-such-flow/").status_code == 404
    Flow.objects.filter(slug="log-in").update(published=False)
    assert client.get(LOGIN).status_code == 404
    assert "Log a host in" not in text_of(client.get("/troubleshoot/"))


def test_steps_only_answer_get_and_head(kb, client):
    assert client.post(LOGIN).status_code == 405
    assert client.post("/troubleshoot/").status_code == 405
    assert client.head(BAD_ID).status_code == 200


def test_htmx_gets_only_the_step_fragment_with_vary(kb, client):
    response = client.get(BAD_ID, headers={"HX-Request": "true"})
    text = text_of(response)
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert "<html" not in text and "<header" not in text
    assert text.count('id="wizard"') == 1
    assert "<title>Send p.php?AT=SU with the same data. What came back? · Log a host in · WebEx API KB</title>" in text
    assert 'hx-push-url="true"' in text
    full = client.get(BAD_ID)
    assert "<html" in text_of(full) and "HX-Request" in full["Vary"]


def test_htmx_history_restore_gets_the_whole_page(kb, client):
    response = client.get(BAD_ID, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in text_of(response)


def test_htmx_on_an_untidy_address_pushes_the_tidy_one(kb, client):
    response = client.get(f"{LOGIN}?li-code=bad-id&came-back=reason-code", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Push-Url"] == BAD_ID


def test_restart_is_one_link_and_pages_use_no_inline_script(kb, client):
    for url in ("/troubleshoot/", BAD_ID, OUTCOME):
        text = text_of(client.get(url))
        assert re.search(r"<script(?![^>]*\bsrc=)", text) is None
        assert " onclick=" not in text and "hx-on" not in text and "style=" not in text
    assert 'href="/troubleshoot/" hx-get="/troubleshoot/" data-restart' in text_of(client.get(BAD_ID))


def test_started_counts_once_per_session_and_finished_once_per_outcome(kb, client):
    flow = Flow.objects.get(slug="log-in")
    for url in (LOGIN, BAD_ID, BAD_ID, OUTCOME, OUTCOME):
        client.get(url)
    events = WizardEvent.objects.filter(flow=flow)
    assert events.filter(kind="started").count() == 1
    finished = events.get(kind="finished")
    assert finished.outcome_slug == "wrong-credentials"
    assert finished.path == [["came-back", "reason-code"], ["li-code", "bad-id"], ["su-test", "webex-id-conflict"]]
    Client().get(OUTCOME)  # somebody else opening the link from the ticket
    assert events.filter(kind="started").count() == 2
    assert events.filter(kind="finished").count() == 2


def test_step_pages_use_a_bounded_number_of_queries(kb, client, django_assert_max_num_queries):
    client.get(LOGIN)  # the session exists
    with django_assert_max_num_queries(14):
        client.get(BAD_ID)
    with django_assert_max_num_queries(20):
        client.get(OUTCOME)
    with django_assert_max_num_queries(6):
        client.get("/troubleshoot/")


ANY_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(ANY_TEXT, ANY_TEXT), max_size=6), change=ANY_TEXT)
def test_any_query_string_gives_a_step_never_an_error(kb, client, pairs, change):
    """Whatever a pasted link carries (markup, huge values), the wizard answers with a step.

    A NUL byte anywhere is refused site-wide with a clear 400 before the wizard runs.
    """
    query = urlencode([*pairs, ("came-back", "<zz-unescaped>"), ("change", change)])
    has_nul = "\x00" in query or "%00" in query
    for url in (f"{LOGIN}?{query}", f"/troubleshoot/?{query}&flow={quote(change)}"):
        response = client.get(url, follow=True)
        if has_nul:
            assert response.status_code == 400
            assert "could not be handled" in text_of(response)
        else:
            assert response.status_code == 200
        assert "<zz-unescaped>" not in text_of(response)
    feedback = client.post(f"/troubleshoot/log-in/feedback/?{query}", {"resolved": "no", "comment": change})
    assert feedback.status_code in (302, 400)


def test_a_flow_broken_by_a_kb_change_asks_again_instead_of_failing(kb, client):
    from kb.models import KbState
    from troubleshooter.models import Choice, Node

    flow = Flow.objects.get(slug="log-in")
    Choice.objects.filter(question__flow=flow, question__slug="su-test", slug="webex-id-conflict").update(target=None)
    KbState.bump()  # a queryset update sends no signal; the admin and the loader move the generation themselves
    response = client.get(OUTCOME)
    assert response.status_code == 200
    assert "no longer offered" in text_of(response)
    Choice.objects.filter(question__flow=flow, question__slug="su-test").delete()
    assert "this flow needs repair" in text_of(client.get(BAD_ID))
    Flow.objects.filter(pk=flow.pk).update(start=None)
    assert client.get(LOGIN).status_code == 404
    assert Node.objects.filter(flow=flow).exists()
