"""RateCounter moved from kb to core without touching its table: the log-in throttle's counters stored before the
move are found through core's model, and the rest of what a database held (entries, their history, replay records)
is still there after the forward migration.

The test migrates the database back to where main stood before the move (kb 0008, no core app), stores rows through
the historical models, and migrates forward to the latest migrations again, whatever happens.
"""

import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from reversion.models import Version

from core import ratelimit, throttle
from core.models import RateCounter
from kb.models import Entry
from replay.models import ReplayRecord

BEFORE = [("kb", "0008_messages_and_counterparts"), ("core", None)]


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.fixture
def before_the_move(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # The state of what is applied now: another app's latest migration may need a later kb one (troubleshooter's
    # Node.condition), which migrating kb back has unapplied too.
    executor.loader.build_graph()
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    try:
        yield executor.loader.project_state(applied).apps
    finally:
        migrate_to_latest()


def test_counters_entries_history_and_records_survive_the_move(before_the_move):
    old = before_the_move
    assert not old.is_installed("core")
    window = int(time.time() // 300 * 300)
    old.get_model("kb", "RateCounter").objects.create(key=f"{throttle.USER_PREFIX}desk", window=window, count=4)
    entry = old.get_model("kb", "Entry").objects.create(
        code="MoveCheck", title="t", summary="s", api="url", category="service", source="test", confidence="low"
    )
    content_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="kb", model="entry")
    old.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="kb", model="ratecounter")
    revision = old.get_model("reversion", "Revision").objects.create(date_created="2026-12-01T10:00:00Z", comment="c")
    old.get_model("reversion", "Version").objects.create(
        revision=revision,
        object_id=str(entry.pk),
        content_type=content_type,
        db="default",
        format="json",
        serialized_data="[]",
        object_repr="MoveCheck",
    )
    site = old.get_model("replay", "Site").objects.create(name="Acme", slug="acme", base_url="https://a.example/a/")
    record = old.get_model("replay", "ReplayRecord").objects.create(
        site=site, site_label="Acme", actor="desk", command="p.php?AT=LI", outcome="fail", rs="AccessDenied"
    )

    migrate_to_latest()

    counter = RateCounter.objects.get(key=f"{throttle.USER_PREFIX}desk")
    assert (counter.window, counter.count) == (window, 4)
    assert ratelimit.peek(f"{throttle.USER_PREFIX}desk", window=300) == 4  # the throttle still counts it
    assert RateCounter._meta.db_table == "kb_ratecounter"
    assert ContentType.objects.filter(app_label="core", model="ratecounter").exists()
    assert not ContentType.objects.filter(app_label="kb", model="ratecounter").exists()
    moved = Entry.objects.get(code="MoveCheck")
    assert Version.objects.get_for_object(moved).get().object_repr == "MoveCheck"
    assert ReplayRecord.objects.get(pk=record.pk).rs == "AccessDenied"
