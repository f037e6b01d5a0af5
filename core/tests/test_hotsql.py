"""The search's hot-path statements (core/hotsql.py): prepared on PostgreSQL, logged with their values, can be off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import hotsql
from kb.models import KbState
from kb.search import search

ROOT = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(
    not os.getenv("DATABASE_URL", "").startswith(("postgres", "pgsql")), reason="prepared statements: PostgreSQL only"
)


def _prepared():
    with connection.cursor() as cur:
        cur.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return cur.fetchall()


def _prepared_count(fragment):
    return sum(runs for statement, runs in _prepared() if fragment in statement)


@postgres_only
@pytest.mark.django_db
def test_search_statements_are_prepared_on_postgresql(kb):
    for _ in range(8):
        search("password wrong", use_cache=False)
        search("030002", use_cache=False)
        KbState.current()  # the generation's own read (cached pages; an answer-cache check)
    assert _prepared_count("FROM kb_searchkey k JOIN kb_entry e") > 0
    assert _prepared_count("to_tsquery('english', $1)") > 0
    assert _prepared_count("SELECT generation FROM kb_kbstate") > 0
    # Only the hot path: ORM queries keep client-side binding and are never prepared.
    assert all(statement.lstrip().startswith(("SELECT", "WITH")) for statement, _ in _prepared())
    assert not [s for s, _ in _prepared() if '"kb_' in s]


@postgres_only
@pytest.mark.django_db
def test_prepared_statements_give_the_same_answers(kb):
    first = [(q, [r.code for r in search(q, use_cache=False).results]) for q in ("password wrong", "030002", "AT=LI")]
    for _ in range(6):
        again = [(q, [r.code for r in search(q, use_cache=False).results]) for q, _codes in first]
    assert _prepared_count("to_tsquery('english', $1)") >= 5
    assert again == first
    assert first[1][1][0] == "030002"


@pytest.mark.django_db
def test_logged_queries_show_the_values(kb):
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(7):
            hotsql.fetchall("SELECT code FROM kb_entry WHERE code = %s", ["030002"])
    assert len(ctx.captured_queries) == 7
    assert all(q["sql"] == "SELECT code FROM kb_entry WHERE code = '030002'" for q in ctx.captured_queries)
    assert hotsql.fetchone("SELECT code FROM kb_entry WHERE code = %s", ["030002"]) == ("030002",)
    assert hotsql.fetchone("SELECT code FROM kb_entry WHERE code = %s", ["nope"]) is None


@postgres_only
def test_prepared_statements_can_be_turned_off():
    code = "import config.settings as s; print(s.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    env = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/test"

    def threshold(**extra):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=dict(env, **extra), capture_output=True, text=True
        )
        return result.returncode, result.stdout.strip(), result.stderr

    assert threshold()[:2] == (0, "5")
    assert threshold(DB_PREPARED_STATEMENTS="0")[:2] == (0, "None")
    status, _out, err = threshold(DB_PREPARED_STATEMENTS="sometimes")
    assert status != 0 and "DB_PREPARED_STATEMENTS" in err
