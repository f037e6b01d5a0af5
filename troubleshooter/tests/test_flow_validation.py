"""Flow checks: on plain graphs, on stored flows (system check), and on admin saves."""

import pytest
from django.core import checks
from django.urls import reverse

from kb.models import Entry
from troubleshooter.checks import check_stored_flows
from troubleshooter.flows import FlowGraph, validate_flow
from troubleshooter.models import Choice, Flow, Node

from .helpers import outcome, question


def messages_for(problems):
    return [str(p) for p in problems]


def test_a_sound_flow_has_no_problems():
    nodes = [question("a", ("x", "b"), ("y", "c")), question("b", ("z", "c")), outcome("c")]
    assert validate_flow("a", nodes) == []


def test_a_cycle_is_refused_naming_the_node():
    nodes = [question("a", ("x", "b")), question("b", ("back", "a"), ("on", "c")), outcome("c")]
    problems = validate_flow("a", nodes)
    assert len(problems) == 1
    assert problems[0].node == "b"
    assert "choice 'back' leads back to 'a', making a cycle (a -> b -> a)" in str(problems[0])


def test_a_node_pointing_to_itself_is_a_cycle():
    problems = validate_flow("a", [question("a", ("again", "a"), ("on", "b")), outcome("b")])
    assert messages_for(problems) == ["node 'a': choice 'again' leads back to 'a', making a cycle (a -> a)"]


def test_unreachable_nodes_are_named():
    problems = validate_flow("a", [question("a", ("x", "b")), outcome("b"), outcome("lonely")])
    assert messages_for(problems) == ["node 'lonely': cannot be reached from the start node"]


def test_a_choice_without_target_is_refused():
    problems = validate_flow("a", [question("a", ("x", None), ("y", "b")), outcome("b")])
    assert messages_for(problems) == ["node 'a': choice 'x' has no target"]


def test_a_choice_to_a_missing_node_is_refused():
    problems = validate_flow("a", [question("a", ("x", "ghost"), ("y", "b")), outcome("b")])
    assert messages_for(problems) == ["node 'a': choice 'x' leads to 'ghost', which does not exist"]


def test_a_question_without_choices_is_a_dead_end():
    problems = validate_flow("a", [question("a", ("x", "b")), question("b")])
    assert messages_for(problems) == ["node 'b': is a question without choices"]


def test_outcomes_need_what_their_kind_promises():
    nodes = [
        question("a", ("1", "d"), ("2", "r"), ("3", "e"), ("4", "o")),
        outcome("d", kind="diagnose", entry="AccessDenied"),
        outcome("r", kind="replay"),
        outcome("e", kind="escalate", guidance=""),
        outcome("o", kind="diagnose", entry="AccessDenied", cause="x", cause_entry="AlreadyLogon"),
    ]
    problems = messages_for(validate_flow("a", nodes))
    assert "node 'd': a diagnosis needs a KB entry and one of its causes, or a condition" in problems
    assert "node 'r': a replay outcome needs a command" in problems
    assert "node 'e': an escalation needs guidance (what to send to support)" in problems
    assert "node 'o': cause 'x' belongs to AlreadyLogon, not to AccessDenied" in problems


def test_an_outcome_with_choices_and_a_bad_start_are_refused():
    nodes = [outcome("a"), question("b", ("x", "a"))]
    nodes[0].choices = question("tmp", ("y", "b")).choices
    problems = messages_for(validate_flow("a", nodes))
    assert "node 'a': an outcome cannot have choices" in problems
    assert "node 'a': the start node must be a question" in problems
    assert messages_for(validate_flow(None, nodes))[-1] == "the flow has no start node"
    assert "node 'zz': is named as the start node but does not exist" in messages_for(validate_flow("zz", nodes))


def test_secrets_may_not_be_prefilled_and_reserved_slugs_are_refused():
    nodes = [
        question("change", ("x", "b")),
        outcome("b", kind="replay", command="p.php?AT=LI", params={"PW": "hunter2", "WID": "host"}),
    ]
    problems = messages_for(validate_flow("change", nodes))
    assert "node 'change': 'change' is reserved by the wizard; pick another slug" in problems
    assert "node 'b': param 'PW' is a secret and may not be prefilled" in problems


def test_every_secret_name_is_refused_as_a_prefilled_param():
    # MPW was missing from the wizard's own list once: the flows now ask webex.redaction, the one home of the rule.
    for name in ("PW", "NPW", "TK", "MPW", "mpw", "%4DPW", "password", "sessionTicket", "webExAccessToken"):
        nodes = [question("a", ("x", "b")), outcome("b", kind="replay", command="m.php?AT=SM", params={name: "x1"})]
        problems = messages_for(validate_flow("a", nodes))
        assert f"node 'b': param '{name}' is a secret and may not be prefilled" in problems
    nodes = [question("a", ("x", "b")), outcome("b", kind="replay", command="m.php?AT=SM", params={"DU": "20"})]
    assert messages_for(validate_flow("a", nodes)) == []


def test_duplicate_slugs_are_refused():
    nodes = [question("a", ("x", "b"), ("x", "b")), outcome("b"), outcome("b")]
    problems = messages_for(validate_flow("a", nodes))
    assert "node 'a': two choices have the slug 'x'" in problems
    assert "node 'b': two nodes have this slug" in problems


# --- stored flows -------------------------------------------------------------------------------------


def test_shipped_flows_pass_the_system_check(kb):
    assert Flow.objects.published().count() >= 8
    assert check_stored_flows() == []


def break_flow(slug="log-in"):
    """Make a stored flow invalid the way an edit elsewhere could: a choice loses its target."""
    flow = Flow.objects.get(slug=slug)
    choice = Choice.objects.filter(question__flow=flow).order_by("pk").first()
    Choice.objects.filter(pk=choice.pk).update(target=None)
    return flow, choice


def test_the_system_check_reports_an_invalid_published_flow(kb):
    flow, choice = break_flow()
    errors = check_stored_flows()
    assert [e.id for e in errors] == ["troubleshooter.E001"]
    assert errors[0].level == checks.ERROR
    expected = f"node '{choice.question.slug}': choice '{choice.slug}' has no target"
    assert f"Flow 'log-in' is published but invalid: {expected}" in errors[0].msg


def test_the_system_check_warns_about_an_invalid_draft(kb):
    flow, _ = break_flow()
    Flow.objects.filter(pk=flow.pk).update(published=False)
    assert [e.id for e in check_stored_flows()] == ["troubleshooter.W001"]


def test_a_kb_cause_deleted_elsewhere_shows_up_in_the_check(kb):
    Entry.objects.get(code="AlreadyLogon").causes.all().delete()
    messages = [e.msg for e in check_stored_flows()]
    assert any("node 'already-logged-in': a diagnosis needs a KB entry and one of its causes" in m for m in messages)


def test_manage_py_check_fails_on_an_invalid_flow(kb):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    break_flow()
    with pytest.raises(SystemCheckError, match="troubleshooter.E001"):
        call_command("check")


# --- admin --------------------------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client.force_login(admin)
    return client


def node_admin_post(node, choices, **changes):
    """POST data for the node admin page: the node's fields plus its choice inline."""
    data = {
        "flow": node.flow_id,
        "slug": node.slug,
        "kind": node.kind,
        "position": node.position,
        "text": node.text,
        "help": node.help,
        "entry": node.entry_id or "",
        "cause": node.cause_id or "",
        "guidance": node.guidance,
        "command": node.command_id or "",
        "params": "{}",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for i, c in enumerate(choices):
        data.update(
            {
                f"choices-{i}-id": c.pk,
                f"choices-{i}-question": node.pk,
                f"choices-{i}-slug": c.slug,
                f"choices-{i}-label": c.label,
                f"choices-{i}-target": c.target_id,
                f"choices-{i}-position": c.position,
            }
        )
    data.update(changes)
    return data


def test_admin_refuses_a_change_that_makes_a_cycle_and_keeps_the_stored_flow(kb, staff_client):
    flow = Flow.objects.get(slug="log-in")
    node = Node.objects.get(flow=flow, slug="su-test")
    choices = list(node.choices.order_by("position"))
    before = list(Choice.objects.filter(question__flow=flow).values_list("pk", "slug", "target_id"))
    data = node_admin_post(node, choices, **{"choices-0-target": flow.start_id})
    response = staff_client.post(reverse("admin:troubleshooter_node_change", args=[node.pk]), data)
    assert response.status_code == 200  # the form again, not a redirect
    text = response.content.decode()
    assert "Not saved: flow &#x27;log-in&#x27; is published" in text
    assert "node &#x27;su-test&#x27;: choice &#x27;webex-id-conflict&#x27; leads back to &#x27;came-back&#x27;" in text
    assert list(Choice.objects.filter(question__flow=flow).values_list("pk", "slug", "target_id")) == before
    assert not Flow.objects.get(pk=flow.pk).locally_edited
    assert check_stored_flows() == []


def test_admin_saves_a_valid_change_and_marks_the_flow_edited(kb, staff_client):
    flow = Flow.objects.get(slug="log-in")
    node = Node.objects.get(flow=flow, slug="su-test")
    choices = list(node.choices.order_by("position"))
    data = node_admin_post(node, choices, text="Send p.php?AT=SU with exactly the same data.")
    response = staff_client.post(reverse("admin:troubleshooter_node_change", args=[node.pk]), data)
    assert response.status_code == 302
    assert Node.objects.get(pk=node.pk).text == "Send p.php?AT=SU with exactly the same data."
    assert Flow.objects.get(pk=flow.pk).locally_edited


def test_admin_refuses_removing_every_choice_of_a_question(kb, staff_client):
    flow = Flow.objects.get(slug="log-out")
    node = Node.objects.get(flow=flow, slug="lo-code")
    choices = list(node.choices.order_by("position"))
    data = node_admin_post(node, choices, **{f"choices-{i}-DELETE": "on" for i in range(len(choices))})
    response = staff_client.post(reverse("admin:troubleshooter_node_change", args=[node.pk]), data)
    assert response.status_code == 200
    assert "node &#x27;lo-code&#x27;: is a question without choices" in response.content.decode()
    assert node.choices.count() == len(choices)


def test_a_draft_flow_may_be_saved_invalid_with_a_warning(kb, staff_client):
    flow = Flow.objects.get(slug="log-out")
    Flow.objects.filter(pk=flow.pk).update(published=False)
    node = Node.objects.get(flow=flow, slug="lo-code")
    choices = list(node.choices.order_by("position"))
    data = node_admin_post(node, choices, **{f"choices-{i}-DELETE": "on" for i in range(len(choices))})
    response = staff_client.post(reverse("admin:troubleshooter_node_change", args=[node.pk]), data, follow=True)
    assert response.status_code == 200
    assert "Draft flow &#x27;log-out&#x27; saved; it is not valid yet" in response.content.decode()
    assert node.choices.count() == 0
    # Publishing it again is refused while it is invalid.
    graph = FlowGraph(Flow.objects.get(pk=flow.pk))
    flow_data = {
        "slug": flow.slug,
        "title": flow.title,
        "description": flow.description,
        "position": flow.position,
        "published": "on",
        "start": flow.start_id,
        "nodes-TOTAL_FORMS": 0,
        "nodes-INITIAL_FORMS": 0,
        "nodes-MIN_NUM_FORMS": 0,
        "nodes-MAX_NUM_FORMS": 1000,
    }
    response = staff_client.post(reverse("admin:troubleshooter_flow_change", args=[flow.pk]), flow_data)
    assert response.status_code == 200
    assert "is a question without choices" in response.content.decode()
    assert not Flow.objects.get(pk=flow.pk).published
    assert graph.problems()


def test_admin_pages_open(kb, staff_client):
    flow = Flow.objects.get(slug="log-in")
    assert staff_client.get(reverse("admin:troubleshooter_flow_change", args=[flow.pk])).status_code == 200
    assert staff_client.get(reverse("admin:troubleshooter_node_change", args=[flow.start_id])).status_code == 200
    assert staff_client.get(reverse("admin:troubleshooter_flow_changelist")).status_code == 200


def test_a_slug_with_a_trailing_newline_is_refused():
    problems = messages_for(validate_flow("a", [question("a", ("x\n", "b")), outcome("b\n"), outcome("b")]))
    assert "node 'b\n': the slug must be lower-case letters, digits and hyphens" in problems
    assert "node 'a': choice 'x\n': the slug must be lower-case a-z, 0-9, -" in problems


def test_admin_builds_a_new_flow_as_a_draft_and_refuses_it_published_while_empty(kb, staff_client):
    add = reverse("admin:troubleshooter_flow_add")
    assert staff_client.get(add).status_code == 200
    data = {
        "slug": "new-flow",
        "title": "Something new",
        "description": "",
        "position": 9,
        "start": "",
        "nodes-TOTAL_FORMS": 1,
        "nodes-INITIAL_FORMS": 0,
        "nodes-MIN_NUM_FORMS": 0,
        "nodes-MAX_NUM_FORMS": 1000,
        "nodes-0-slug": "first",
        "nodes-0-kind": "question",
        "nodes-0-position": 0,
        "nodes-0-text": "What came back?",
        "nodes-0-params": "{}",
    }
    response = staff_client.post(add, {**data, "published": "on"})
    assert response.status_code == 200
    assert "the flow has no start node" in response.content.decode()
    assert not Flow.objects.filter(slug="new-flow").exists()
    assert not Node.objects.filter(slug="first", flow__slug="new-flow").exists()
    response = staff_client.post(add, data, follow=True)
    assert "Draft flow &#x27;new-flow&#x27; saved; it is not valid yet" in response.content.decode()
    flow = Flow.objects.get(slug="new-flow")
    assert not flow.published and flow.nodes.count() == 1
    assert "new-flow" not in staff_client.get("/troubleshoot/").content.decode()
