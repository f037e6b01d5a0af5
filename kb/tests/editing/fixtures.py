"""Users in each role, for the editors' pages: fixtures of every test (the root conftest.py names this module in its
``pytest_plugins``; a module with its own ``people`` keeps that one). The helpers are in kb/tests/editing/helpers.py."""

import pytest

from kb.tests.editing.helpers import GROUPS, make_user


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
