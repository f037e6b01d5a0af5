"""Users in each role, for the editors' pages (fixtures of every test: the root conftest.py names this module).

The role groups ("Help desk", "KB editors", "Admins") are created by every migrate, the test database's too."""

import pytest
from django.contrib.auth.models import Group, User

ROLES = ["anonymous", "help-desk", "kb-editor", "admin"]
GROUPS = {"help-desk": "Help desk", "kb-editor": "KB editors", "admin": "Admins"}


def make_user(name, role):
    user = User.objects.create_user(name, password="pw-for-tests-1")
    user.groups.add(Group.objects.get(name=GROUPS[role]))
    if role != "help-desk":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def people(db):
    users = {"anonymous": None}
    for role in GROUPS:
        users[role] = make_user(role.replace("-", ""), role)
    return users


@pytest.fixture
def editor(db):
    return make_user("editor", "kb-editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def as_role(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def expect_access(response, role):
    """Editors' pages: anonymous to the log-in page, help desk 403, KB editors and admins in."""
    if role == "anonymous":
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/accounts/login/")
    elif role == "help-desk":
        assert response.status_code == 403, response.status_code
    else:
        assert response.status_code in (200, 302), response.status_code
