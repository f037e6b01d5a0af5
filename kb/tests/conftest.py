"""Fixtures of the kb tests (the shared set-up is in the project's conftest.py)."""

from kb.tests.browser import page, site  # noqa: F401 - fixtures of the search box and secret browser tests
from kb.tests.editor_fixtures import editor, editor_client, people  # noqa: F401 - fixtures
