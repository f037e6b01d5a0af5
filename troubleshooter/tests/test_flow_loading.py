"""The "flows" section of the fixtures: load_kb loads, checks and exports flows; a bad flow changes nothing."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kb import fixtures
from troubleshooter.loading import export_flows, normalize
from troubleshooter.models import Choice, Flow, Node

from .helpers import flow_item, write_flows

SHIPPED = Path(settings.KB_FIXTURE_DIR) / "03-flows.json"
SHIPPED_SLUGS = {
    "log-in",
    "log-out",
    "create-user",
    "edit-user",
    "schedule-meeting",
    "start-meeting",
    "join-meeting",
    "xml-api",
}


def snapshot():
    """Everything stored about flows, to prove a refused load changed nothing."""
    return (
        list(Flow.objects.order_by("pk").values_list("pk", "slug", "title", "start_id", "fixture_hash")),
        list(Node.objects.order_by("pk").values_list("pk", "flow_id", "slug", "kind", "text", "cause_id")),
        list(Choice.objects.order_by("pk").values_list("pk", "question_id", "slug", "label", "target_id")),
    )


def test_the_shipped_flows_are_loaded(kb):
    assert set(Flow.objects.values_list("slug", flat=True)) >= SHIPPED_SLUGS
    assert all(f.start is not None and f.published for f in Flow.objects.filter(slug__in=SHIPPED_SLUGS))


def test_loading_again_changes_nothing(kb):
    before = snapshot()
    report = fixtures.load()
    assert report.counts["flows"]["unchanged"] == len(SHIPPED_SLUGS)
    assert not report.counts["flows"].get("updated")
    assert snapshot() == before


def test_a_new_flow_is_created_then_unchanged_then_updated_in_place(kb, tmp_path):
    path = write_flows(tmp_path, flow_item())
    assert fixtures.load([path]).counts["flows"]["created"] == 1
    flow = Flow.objects.get(slug="tiny")
    pks = dict(Node.objects.filter(flow=flow).values_list("slug", "pk"))
    assert flow.start.slug == "first"
    assert list(flow.start.choices.values_list("slug", "target__slug")) == [("conflict", "taken"), ("other", "support")]
    assert fixtures.load([path]).counts["flows"]["unchanged"] == 1

    item = flow_item()
    item["nodes"][0]["choices"][1]["label"] = "Anything else"
    item["nodes"] = [n for n in item["nodes"] if n["slug"] != "support"]
    item["nodes"][0]["choices"][1]["target"] = "taken"
    path = write_flows(tmp_path, item)
    assert fixtures.load([path]).counts["flows"]["updated"] == 1
    kept = {"first": pks["first"], "taken": pks["taken"]}
    assert dict(Node.objects.filter(flow=flow).values_list("slug", "pk")) == kept
    assert Choice.objects.get(question__flow=flow, slug="other").label == "Anything else"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            lambda n: n[0]["choices"].append({"slug": "loop", "label": "Loop", "target": "first"}),
            "nodes[0]",
            "node 'first': choice 'loop' leads back to 'first', making a cycle (first -> first)",
        ),
        (
            lambda n: n.append({"slug": "lonely", "kind": "escalate", "text": "Alone", "guidance": "x"}),
            "nodes[3]",
            "node 'lonely': cannot be reached from the start node",
        ),
        (lambda n: n[0]["choices"][0].update(target=None), "nodes[0]", "node 'first': choice 'conflict' has no target"),
        (
            lambda n: n.append({"slug": "q", "kind": "question", "text": "Q?"}),
            "nodes[3]",
            "node 'q': is a question without choices",
        ),
        (
            lambda n: n[1].update(cause="no-such-cause"),
            "nodes[1].cause",
            "node 'taken': WebExIDConflict has no cause 'no-such-cause' (its causes: webex-id-taken)",
        ),
        (lambda n: n[1].update(entry="NoSuchCode"), "nodes[1].entry", "node 'taken': no KB entry 'NoSuchCode'"),
        (
            lambda n: n[2].update(kind="replay", command="p.php?AT=ZZ"),
            "nodes[2].command",
            "node 'support': no KB command 'p.php?AT=ZZ'",
        ),
        (lambda n: n[1].update(colour="red"), "nodes[1].colour", "node 'taken': unknown field"),
        (lambda n: n[1].update(text="x" * 301), "nodes[1].text", "node 'taken': is longer than 300 characters"),
        (
            lambda n: n[0]["choices"][1].update(label="y" * 301),
            "nodes[0].choices[1].label",
            "node 'first': is longer than 300 characters",
        ),
    ],
)
def test_a_bad_flow_is_refused_naming_the_node_and_nothing_changes(kb, tmp_path, change, field, message):
    good = write_flows(tmp_path, flow_item(), name="good.json")
    fixtures.load([good])
    before = snapshot()
    bad_item = flow_item()
    bad_item["title"] = "Renamed, but refused"
    change(bad_item["nodes"])
    bad = write_flows(tmp_path, bad_item, flow_item("another"), name="bad.json")
    with pytest.raises(fixtures.FixtureError) as caught:
        fixtures.load([bad])
    assert str(caught.value).startswith(f"{bad}: flow 'tiny': field '{field}': ")
    assert message in str(caught.value)
    assert snapshot() == before
    assert not Flow.objects.filter(slug="another").exists()


def test_load_kb_prints_the_named_error_and_loads_nothing(kb, tmp_path):
    item = flow_item()
    item["nodes"][0]["choices"][0]["target"] = "ghost"
    bad = write_flows(tmp_path, item)
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        call_command("load_kb", str(bad))
    assert str(caught.value) == (
        f"Nothing was loaded. {bad}: flow 'tiny': field 'nodes[0]': "
        "node 'first': choice 'conflict' leads to 'ghost', which does not exist; "
        "node 'taken': cannot be reached from the start node"
    )
    assert snapshot() == before


def test_flow_level_mistakes_are_named(kb, tmp_path):
    with pytest.raises(fixtures.FixtureError, match="flow 'tiny': field 'start': is required"):
        fixtures.load([write_flows(tmp_path, flow_item(start=""))])
    with pytest.raises(fixtures.FixtureError, match="field 'start': node 'nowhere': is named as the start node"):
        fixtures.load([write_flows(tmp_path, flow_item(start="nowhere"))])
    with pytest.raises(fixtures.FixtureError, match="field 'slug': is also defined in"):
        fixtures.load([write_flows(tmp_path, flow_item(), flow_item())])
    with pytest.raises(fixtures.FixtureError, match="field 'published': must be true or false"):
        fixtures.load([write_flows(tmp_path, flow_item(published="yes"))])


def test_a_flow_edited_in_the_admin_is_kept_unless_forced(kb, tmp_path):
    path = write_flows(tmp_path, flow_item())
    fixtures.load([path])
    Flow.objects.filter(slug="tiny").update(title="Edited here", locally_edited=True)
    report = fixtures.load([path])
    assert report.counts["flows"]["skipped"] == 1
    assert Flow.objects.get(slug="tiny").title == "Edited here"
    fixtures.load([path], force=True)
    flow = Flow.objects.get(slug="tiny")
    assert (flow.title, flow.locally_edited) == ("Flow tiny", False)


def test_export_gives_back_the_shipped_flows(kb):
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))["flows"]
    exported = {f["slug"]: f for f in export_flows()}
    for item in shipped:
        assert exported[item["slug"]] == normalize(str(SHIPPED), item)
    assert "flows" in fixtures.export()
    assert all("pk" not in json.dumps(f) for f in exported.values())


def test_an_exported_flow_loads_back_unchanged(kb, tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"flows": export_flows()}), encoding="utf-8")
    before = snapshot()
    report = fixtures.load([path])
    assert report.counts["flows"]["unchanged"] == len(SHIPPED_SLUGS)
    assert snapshot() == before
