"""The KB generation (kb.generation): every per-generation cache follows it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import generation
from kb.models import Command, KbState, Service
from kb.search.commands import all_commands
from kb.textlinks import command_links


def change_service():
    service = Service.objects.get_by_natural_key("p.php")
    service.title = "Changed title"
    service.save()


def test_per_generation_values_are_rebuilt_after_a_change(kb, django_assert_num_queries):
    all_commands.cache.clear()
    command_links.cache.clear()
    first, links = all_commands(), command_links()
    with django_assert_num_queries(2):  # the generation, twice; the lists are cached
        assert all_commands() is first
        assert command_links() is links
    command = Command.objects.get_by_natural_key("p.php?AT=SU")
    command.description = "Changed description."
    command.save()
    assert all_commands() is not first
    assert command_links() is not links
    assert command_links()["p.php?AT=SU"] == "/commands/p.php/SU/"


def test_generation_cache_keeps_values_for_their_generation_only(kb):
    cache = generation.GenerationCache(2)
    built = []

    def build(value):
        built.append(value)
        return value

    assert cache.get_or_build("a", lambda: build("A")) == "A"
    assert cache.get_or_build("a", lambda: build("A2")) == "A"
    cache.get_or_build("b", lambda: build("B"))
    cache.get_or_build("c", lambda: build("C"))  # beyond the size: "a", the least recently used, goes
    assert list(cache.items) == ["b", "c"]
    change_service()
    assert cache.get_or_build("b", lambda: build("B2")) == "B2"
    assert built == ["A", "B", "C", "B2"]


def test_cache_key_carries_the_generation(kb):
    key = generation.cache_key("entry-page", "abc")
    assert key == f"entry-page:{KbState.current()}:abc"
    change_service()
    assert generation.cache_key("entry-page", "abc") != key


def test_a_request_reads_the_generation_once(kb, client):
    """A search that misses the answer cache reads the command list too: one read of the generation serves both."""
    all_commands.cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/?q=sign+up").status_code == 200
    reads = [q["sql"] for q in queries.captured_queries if "SELECT generation" in q["sql"]]
    assert len(reads) == 1


def test_a_change_inside_a_request_scope_is_seen_at_once(kb):
    with generation.request_scope():
        before = generation.current()
        assert generation.current() == before
        change_service()
        assert generation.current() == KbState.current() != before
    assert generation.current() == KbState.current()
