"""Coverage of the shipped flows: every path ends in a valid outcome, and every seed error is reachable."""

import html
import re
from collections import deque

from django.test import Client
from django.urls import reverse

from troubleshooter.flows import FlowGraph
from troubleshooter.models import Flow, NodeKind

# The seed catalogue's codes and the causes the knowledge base gives them.
SEED = {
    "AccessDenied": {"session-expired", "xml-privilege"},
    "AlreadyLogon": {"already-logged-in"},
    "AutoLoginDisabled": {"autologin-off"},
    "BadWebExIDorPassword": {"wrong-credentials", "no-account"},
    "DoNotSupportAPI": {"api-not-enabled"},
    "EmailConflict": {"email-in-use"},
    "NoMeetingTypeSupport": {"meeting-type-mismatch"},
    "PartnerIDError": {"wrong-partner-id"},
    "TheDurationIsExceedTheMaxDuration": {"duration-over-site-limit"},
    "Unknown": {"email-missing-or-invalid"},
    "WebExIDConflict": {"webex-id-taken"},
}
CHOICE_LINK = re.compile(r'<a class="wizard-choice" href="([^"]+)"')
OUTCOME = re.compile(r'data-outcome="([^"]*)" data-entry="([^"]*)" data-cause="([^"]*)"')


def test_every_path_of_every_shipped_flow_ends_in_a_valid_outcome(kb):
    flows = list(Flow.objects.published())
    assert len(flows) >= 8
    total = 0
    for flow in flows:
        graph = FlowGraph(flow)
        assert graph.problems() == [], flow.slug
        paths = graph.paths()
        assert paths, flow.slug
        for trail, end in paths:
            where = f"{flow.slug}: " + " > ".join(f"{n.slug}={c.slug}" for n, c in trail)
            assert end is not None, f"{where} ends without an outcome"
            assert end.is_outcome, where
            if end.kind == NodeKind.DIAGNOSE:  # an entry and its cause, or a condition
                assert (end.entry and end.cause) or end.condition, where
            if end.kind == NodeKind.REPLAY:
                assert end.command, where
            if end.kind == NodeKind.ESCALATE:
                assert end.guidance.strip(), where
            if end.cause:
                assert end.cause.entry_id == end.entry_id, where
                assert end.cause.steps.exists(), where
            total += 1
    assert total >= 240  # the shipped flows have 251 distinct paths; a lost branch shows up here


def test_every_path_opens_at_its_outcome_over_http(kb, client):
    for flow in Flow.objects.published():
        for trail, end in FlowGraph(flow).paths():
            query = "&".join(f"{n.slug}={c.slug}" for n, c in trail)
            response = client.get(f"{flow.get_absolute_url()}?{query}")
            assert response.status_code == 200, query
            assert f'data-outcome="{end.slug}"' in response.content.decode(), query


def crawl(client):
    """Follow every choice link from /troubleshoot/; returns {(code, cause)} of the outcomes reached and pages seen."""
    start = reverse("troubleshooter:wizard")
    queue, seen, reached = deque([start]), {start}, set()
    while queue:
        url = queue.popleft()
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        text = response.content.decode()
        for _, code, cause in OUTCOME.findall(text):
            reached.add((code, cause))
        for href in CHOICE_LINK.findall(text):
            href = html.unescape(href)
            if href not in seen:
                seen.add(href)
                queue.append(href)
    return reached, seen


def test_every_seed_error_and_cause_is_reachable_from_the_start_page(kb):
    reached, seen = crawl(Client())
    missing = {(code, cause) for code, causes in SEED.items() for cause in causes} - reached
    assert not missing, f"not reachable from /troubleshoot/: {sorted(missing)}"
    assert len(seen) > 100


def test_the_recorded_spellings_are_offered_as_symptoms(kb, client):
    text = client.get("/troubleshoot/create-user/?came-back=reason-code").content.decode()
    assert "RS=NoMeetingTypeSupport or RS=SiteDoNotSupportThisMeetingType" in text
    assert "RS=WebExIDConflict (or WebexIDConflict)" in text


def test_the_seed_tests_that_tell_causes_apart_are_asked(kb, client):
    def page(url):
        return client.get(url).content.decode()

    su = page("/troubleshoot/log-in/?came-back=reason-code&li-code=bad-id")
    assert "Send p.php?AT=SU with the same data. What came back?" in su
    assert "RS=WebExIDConflict" in su

    du20 = page("/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration")
    assert "Add DU=20 to the command and send it again." in du20
    du15 = page("/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration&du-20=same")
    assert "Lower it to DU=15 and send it again." in du15
    last = page("/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=duration&du-20=same&du-15=same")
    assert 'data-outcome="du-escalate"' in last

    denied = page("/troubleshoot/start-meeting/?came-back=reason-code&hm-code=access-denied")
    assert "30 minutes or more after the host&#x27;s last activity" in denied
    assert "An XML API Get, Set or List call" in denied

    types = page("/troubleshoot/schedule-meeting/?came-back=reason-code&sm-code=meeting-type")
    assert "Supported Meetings" in types
    assert "The meeting type I sent (MT=…) is not in the Supported Meetings list" in types


def test_the_start_page_asks_what_the_person_was_doing(kb, client):
    text = client.get("/troubleshoot/").content.decode()
    assert "What were you trying to do?" in text
    for title in (
        "Log a host in",
        "Log a host out",
        "Create a user",
        "Edit a user",
        "Schedule a meeting",
        "Start (host) a meeting",
        "Join a meeting",
        "Make an XML API call",
    ):
        assert title in text
    first = client.get("/troubleshoot/log-in/").content.decode()
    assert "What came back?" in first
    for symptom in ("RS=… in the address", "an error page", "its login page", "Nothing I can read"):
        assert symptom in first
