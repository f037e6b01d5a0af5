"""The roles (core/roles.py): groups made on every migrate, and ``manage.py grant_role``. Every role against every view
is in replay/tests/test_roles.py."""

from django.contrib.auth.models import Group, User
from django.core.management import call_command

from core.roles import ADMINS, HELP_DESK, KB_EDITORS


def test_roles_exist_after_migrate(db):
    call_command("migrate", verbosity=0)
    names = set(Group.objects.values_list("name", flat=True))
    assert {HELP_DESK, KB_EDITORS, ADMINS} <= names
    assert Group.objects.get(name=HELP_DESK).permissions.filter(codename="can_replay").exists()
    assert not Group.objects.get(name=KB_EDITORS).permissions.filter(codename="can_replay").exists()
    assert Group.objects.get(name=ADMINS).permissions.filter(codename="change_site").exists()


def test_grant_role_command(db, capsys):
    User.objects.create_user("newdesk")
    call_command("grant_role", "newdesk", "kb-editor")
    user = User.objects.get(username="newdesk")
    assert user.is_staff
    assert user.has_perm("kb.change_entry")
    assert not user.has_perm("replay.can_replay")
    assert "is now in 'KB editors'" in capsys.readouterr().out
