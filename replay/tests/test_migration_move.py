"""Site and ReplayRecord moved from troubleshooter to replay without touching their tables: what was stored before
the move is found through the new models, and the can_replay permission moved with the groups and users holding it.

Each test migrates the database back to before the move (troubleshooter 0002, no replay app), stores rows through
the historical models, and migrates forward to the latest migrations again, whatever happens.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from replay.models import ReplayRecord, Site

BEFORE = [("troubleshooter", "0002_replay"), ("replay", None)]


@pytest.fixture
def before_the_move(transactional_db):
    """The models as they were before the move (the database is migrated back), then the latest migrations."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ("troubleshooter", "replay")]
    try:
        yield executor.loader.project_state([*others, BEFORE[0]]).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def old_permission(apps, codename="can_replay", model="replayrecord"):
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="troubleshooter", model=model
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename}
    )
    return permission


def test_sites_records_and_the_replay_permission_survive_the_move(before_the_move):
    old = before_the_move
    assert not old.is_installed("replay")
    site = old.get_model("troubleshooter", "Site").objects.create(
        name="Acme", slug="acme", base_url="https://acme.webex.com/acme/"
    )
    record = old.get_model("troubleshooter", "ReplayRecord").objects.create(
        site=site, site_label="Acme", actor="desk", command="p.php?AT=LI", outcome="fail", rs="AccessDenied"
    )
    group = old.get_model("auth", "Group").objects.create(name="Replayers")
    group.permissions.add(old_permission(old))
    user = old.get_model("auth", "User").objects.create(username="desk")
    user.groups.add(group)
    user.user_permissions.add(old_permission(old, "view_site", "site"))

    migrate_to_latest()

    moved = ReplayRecord.objects.select_related("site").get(pk=record.pk)
    assert (moved.site, moved.command, moved.rs) == (Site.objects.get(slug="acme"), "p.php?AT=LI", "AccessDenied")
    assert list(Site.objects.get(pk=site.pk).replays.all()) == [moved]
    replayers = Group.objects.get(name="Replayers")
    assert replayers.permissions.filter(content_type__app_label="replay", codename="can_replay").exists()
    desk = User.objects.get(username="desk")
    assert desk.has_perm("replay.can_replay") and desk.has_perm("replay.view_site")
    assert not desk.has_perm("troubleshooter.can_replay")
    assert not ContentType.objects.filter(app_label="troubleshooter", model__in=["site", "replayrecord"]).exists()


def test_grants_made_under_both_labels_are_merged(before_the_move):
    """A migrate run that stopped between replay 0001 and 0002 let post_migrate create the replay content types
    and permissions, and a role was granted on them: 0002 keeps one content type with the grants of both."""
    old = before_the_move
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    stray_type = ContentType.objects.create(app_label="replay", model="replayrecord")
    stray = Permission.objects.create(content_type=stray_type, codename="can_replay", name="can_replay")
    old.get_model("auth", "Group").objects.create(name="New desk").permissions.add(stray)
    old.get_model("auth", "Group").objects.create(name="Old desk").permissions.add(old_permission(old))

    migrate_to_latest()

    [content_type] = ContentType.objects.filter(model="replayrecord")
    assert content_type.app_label == "replay"
    for name in ("New desk", "Old desk"):
        assert list(Group.objects.get(name=name).permissions.values_list("content_type", "codename")) == [
            (content_type.pk, "can_replay")
        ]
