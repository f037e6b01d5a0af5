"""Fixtures of the kb tests (the shared set-up is in the project's conftest.py)."""

from kb.tests.editor_fixtures import editor, editor_client, people  # noqa: F401 - fixtures
