"""Shared test set-up: the shipped knowledge base is loaded once into the test database.

Tests that use ``db`` run inside a transaction that is rolled back, so each sees the KB as shipped.
Tests that use ``transactional_db`` or ``live_server`` get an emptied database afterwards
and must load what they need themselves (``call_command("load_kb")``).
"""

import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_kb", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def kb(db):
    """The shipped knowledge base (already loaded for the session); use it to say a test needs it."""
    from kb.models import Entry

    assert Entry.objects.exists(), "the shipped fixtures did not load"
    return Entry.objects


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rendered pages are cached per process; a rolled-back test must not leave its pages behind."""
    from django.core.cache import cache

    from kb.search import answer_cache

    cache.clear()
    answer_cache.clear()
    yield
    cache.clear()
    answer_cache.clear()
