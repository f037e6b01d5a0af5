"""The "Admins" role manages sites and ordinary users, and cannot climb: each way up is tried with the test client
as an Admins user and refused. Only a superuser grants superuser or staff status, edits a superuser or another
staff account, changes another user's password, grants single permissions or the Admins group, or edits groups."""

import pytest
from django.contrib.auth.models import Group, Permission, User

from core.roles import ADMINS, HELP_DESK, grant

PASSWORD = "Original-Pass-4471"


@pytest.fixture(autouse=True)
def _quick_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db):
    root = User.objects.create_superuser("root", password=PASSWORD)
    boss = User.objects.create_user("boss", password=PASSWORD)
    grant(boss, "admin")
    editor = User.objects.create_user("editor", password=PASSWORD)
    grant(editor, "kb-editor")
    desk = User.objects.create_user("desk", password=PASSWORD)
    return {"root": root, "boss": boss, "editor": editor, "desk": desk}


@pytest.fixture
def boss_client(client, people):
    client.force_login(people["boss"])
    return client


def change_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_admins_cannot_make_themselves_superuser_or_grant_permissions(boss_client, people):
    boss = people["boss"]
    every_permission = list(Permission.objects.values_list("pk", flat=True))
    response = boss_client.post(
        f"/admin/auth/user/{boss.pk}/change/",
        change_form(boss, is_superuser="on", is_staff="on", user_permissions=every_permission, first_name="B"),
    )
    assert response.status_code in (200, 302)
    boss = fresh(boss)
    assert not boss.is_superuser
    assert boss.user_permissions.count() == 0
    page = boss_client.get(f"/admin/auth/user/{boss.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="is_staff"' not in page and 'name="groups"' not in page


def test_admins_cannot_edit_the_superuser(boss_client, people):
    root = people["root"]
    response = boss_client.post(
        f"/admin/auth/user/{root.pk}/change/", change_form(root, is_active="", email="attacker@example.com")
    )
    assert response.status_code == 403
    root = fresh(root)
    assert root.is_active and root.email == ""


@pytest.mark.parametrize("target", ["root", "editor", "desk", "boss-other"])
def test_admins_cannot_change_another_users_password(boss_client, people, target):
    if target == "boss-other":
        other = User.objects.create_user("boss2", password=PASSWORD)
        grant(other, "admin")
    else:
        other = people[target]
    response = boss_client.post(
        f"/admin/auth/user/{other.pk}/password/",
        {"password1": "Taken-Over-Pass-9931", "password2": "Taken-Over-Pass-9931", "usable_password": "true"},
    )
    assert response.status_code == 403
    assert fresh(other).check_password(PASSWORD)


def test_admins_cannot_give_the_admins_group_or_staff(boss_client, people):
    desk = people["desk"]
    admins = Group.objects.get(name=ADMINS)
    response = boss_client.post(
        f"/admin/auth/user/{desk.pk}/change/", change_form(desk, groups=[admins.pk], is_staff="on")
    )
    assert response.status_code == 200  # the form answers "Select a valid choice"
    desk = fresh(desk)
    assert not desk.groups.filter(name=ADMINS).exists() and not desk.is_staff


def test_admins_cannot_edit_another_staff_account(boss_client, people):
    editor = people["editor"]
    response = boss_client.post(f"/admin/auth/user/{editor.pk}/change/", change_form(editor, is_active=""))
    assert response.status_code == 403
    assert fresh(editor).is_active


def test_admins_cannot_add_a_superuser(boss_client):
    response = boss_client.post(
        "/admin/auth/user/add/",
        {
            "username": "mole",
            "password1": "Mole-Pass-88213",
            "password2": "Mole-Pass-88213",
            "usable_password": "true",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    mole = User.objects.get(username="mole")
    assert not mole.is_superuser and not mole.is_staff


def test_admins_cannot_edit_or_add_groups(boss_client):
    help_desk = Group.objects.get(name=HELP_DESK)
    change_user = Permission.objects.get(codename="change_user")
    response = boss_client.post(
        f"/admin/auth/group/{help_desk.pk}/change/", {"name": HELP_DESK, "permissions": [change_user.pk]}
    )
    assert response.status_code == 403
    assert not help_desk.permissions.filter(pk=change_user.pk).exists()
    response = boss_client.post("/admin/auth/group/add/", {"name": "Everything", "permissions": [change_user.pk]})
    assert response.status_code == 403
    assert not Group.objects.filter(name="Everything").exists()


def test_admins_cannot_bulk_delete_the_superuser(boss_client, people):
    root = people["root"]
    response = boss_client.post(
        "/admin/auth/user/", {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(pk=root.pk).exists()


def test_admins_can_still_manage_ordinary_users(boss_client, people):
    desk = people["desk"]
    help_desk = Group.objects.get(name=HELP_DESK)
    response = boss_client.post(
        f"/admin/auth/user/{desk.pk}/change/", change_form(desk, first_name="Dana", groups=[help_desk.pk])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    desk = fresh(desk)
    assert desk.first_name == "Dana" and desk.groups.filter(pk=help_desk.pk).exists()
    response = boss_client.post(f"/admin/auth/user/{desk.pk}/change/", change_form(desk, is_active=""))
    assert response.status_code == 302 and not fresh(desk).is_active


def test_editing_a_user_keeps_groups_beyond_reach(boss_client, people, django_user_model):
    """An Admins user who edits an ordinary user in a group they cannot give (set by a superuser) keeps it."""
    desk = people["desk"]
    desk.groups.add(Group.objects.get(name=ADMINS))
    response = boss_client.post(f"/admin/auth/user/{desk.pk}/change/", change_form(desk, first_name="X"))
    assert response.status_code == 302
    assert fresh(desk).groups.filter(name=ADMINS).exists()


def test_a_superuser_can_do_all_of_it(client, people):
    client.force_login(people["root"])
    desk = people["desk"]
    admins = Group.objects.get(name=ADMINS)
    response = client.post(f"/admin/auth/user/{desk.pk}/change/", change_form(desk, is_staff="on", groups=[admins.pk]))
    assert response.status_code == 302
    assert fresh(desk).is_staff and fresh(desk).groups.filter(pk=admins.pk).exists()
    response = client.post(
        f"/admin/auth/user/{desk.pk}/password/",
        {"password1": "Reset-By-Root-5521", "password2": "Reset-By-Root-5521", "usable_password": "true"},
    )
    assert response.status_code == 302 and fresh(desk).check_password("Reset-By-Root-5521")
