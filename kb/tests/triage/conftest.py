"""The triage tests' users: a help desk user and a logged-in reader without a role."""

import pytest

from core.roles import grant


@pytest.fixture
def helpdesk(client, django_user_model):
    user = django_user_model.objects.create_user("hd", password="pw-for-tests-only")
    grant(user, "help-desk")
    client.force_login(user)
    return client


@pytest.fixture
def reader(client, django_user_model):
    """A logged-in user with no role."""
    user = django_user_model.objects.create_user("reader", password="pw-for-tests-only")
    client.force_login(user)
    return client
