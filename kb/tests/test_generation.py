"""The KB generation (kb.generation): one change moves it exactly once, and every per-generation cache follows it."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import generation
from kb.models import Alias, Cause, Command, Entry, KbState, Service, Step
from kb.search import batch, search
from kb.search.commands import all_commands
from kb.textlinks import command_links


@pytest.fixture
def bumps(monkeypatch):
    """The number of times KbState.bump() ran (each one an UPDATE of the generation row)."""
    calls = []
    real = KbState.bump.__func__

    def counting(cls):
        calls.append(1)
        real(cls)

    monkeypatch.setattr(KbState, "bump", classmethod(counting))
    return calls


def kbstate_updates(queries):
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and KbState._meta.db_table in q["sql"]]


def change_entry():
    entry = Entry.objects.get(code="AccessDenied")
    entry.title = "Changed title"
    entry.save()


def change_alias():
    alias = Alias.objects.filter(entry__code="BadWebExIDorPassword").first()
    alias.note = "Changed note"
    alias.save()


def change_cause():
    cause = Cause.objects.get_by_natural_key("AccessDenied", "session-expired")
    cause.meaning = "Changed meaning."
    cause.save()


def change_step():
    step = Step.objects.filter(cause__entry__code="AccessDenied").first()
    step.text = "A changed step."
    step.save()


def change_command():
    command = Command.objects.get_by_natural_key("p.php?AT=SU")
    command.description = "Changed description."
    command.save()


def change_service():
    service = Service.objects.get_by_natural_key("p.php")
    service.title = "Changed title"
    service.save()


def new_alias():
    Alias.objects.create(entry=Entry.objects.get(code="AccessDenied"), alias="QuokkaDenied")


def link_a_command():
    cause = Cause.objects.get_by_natural_key("AccessDenied", "session-expired")
    cause.commands.add(Command.objects.get_by_natural_key("p.php?AT=SU"))


def unlink_commands():
    Cause.objects.get_by_natural_key("AccessDenied", "session-expired").commands.clear()


def relate_entries():
    Entry.objects.get(code="AccessDenied").related.add(Entry.objects.get(code="Unknown"))


def delete_alias():
    Alias.objects.filter(entry__code="BadWebExIDorPassword").first().delete()


def delete_entry():
    Entry.objects.get(code="AccessDenied").delete()  # with its aliases, causes and steps


ONE_CHANGE = [
    change_entry,
    change_alias,
    change_cause,
    change_step,
    change_command,
    change_service,
    new_alias,
    link_a_command,
    unlink_commands,
    relate_entries,
    delete_alias,
    delete_entry,
]


@pytest.mark.parametrize("change", ONE_CHANGE, ids=lambda f: f.__name__)
def test_one_change_moves_the_generation_exactly_once(kb, bumps, change):
    before = KbState.current()
    with CaptureQueriesContext(connection) as queries:
        change()
    assert len(bumps) == 1
    assert len(kbstate_updates(queries.captured_queries)) == 1
    assert KbState.current() != before


def test_a_saved_entry_is_searchable_at_once_and_its_cached_answer_goes(kb, bumps):
    assert [r.code for r in search("quokkadenied").results] == []
    new_alias()
    assert len(bumps) == 1
    assert [r.code for r in search("quokkadenied").results] == ["AccessDenied"]


def test_a_batch_of_writes_moves_the_generation_once_at_the_end(kb, bumps):
    with batch():
        change_entry()
        change_alias()
        new_alias()
        change_command()
        with batch():
            change_step()
        assert bumps == []
    assert len(bumps) == 1
    assert [r.code for r in search("quokkadenied").results] == ["AccessDenied"]


def test_a_failed_batch_moves_nothing(kb, bumps):
    with pytest.raises(RuntimeError), batch():
        change_entry()
        raise RuntimeError("boom")
    assert bumps == []


def test_reading_the_generation_inside_a_batch_moves_it_first(kb, bumps):
    """Nothing may be cached under the generation a change made stale, even before the batch ends."""
    before = generation.current()
    with batch():
        change_service()
        during = generation.current()
        assert during != before and len(bumps) == 1
        assert generation.current() == during  # no new change: no new move
        change_command()
    assert len(bumps) == 2
    assert generation.current() != during


def test_load_kb_moves_the_generation_once(kb, bumps):
    call_command("load_kb", "--force", verbosity=0, stdout=io.StringIO())  # rewrites every entry and flow
    assert len(bumps) == 1


def test_a_load_that_changes_nothing_does_not_move_it(kb, bumps):
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    assert bumps == []


def test_reindex_alone_moves_it(kb, bumps):
    from kb.search import reindex

    reindex([Entry.objects.get(code="AccessDenied")])
    assert len(bumps) == 1


def test_per_generation_values_are_rebuilt_after_a_change(kb, django_assert_num_queries):
    all_commands.cache.clear()
    command_links.cache.clear()
    first, links = all_commands(), command_links()
    with django_assert_num_queries(2):  # the generation, twice; the lists are cached
        assert all_commands() is first
        assert command_links() is links
    change_command()
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


def test_an_uncached_search_reads_the_generation_with_its_code_lookup(kb, settings):
    """The code lookup returns the generation along with its rows (also when no code matches): no read of its own."""
    settings.SEARCH_CACHE_SIZE = 0
    for query in ("030002", "password is wrong"):
        with CaptureQueriesContext(connection) as queries:
            response = search(query)
        assert response.results
        sqls = [q["sql"] for q in queries.captured_queries]
        assert not [s for s in sqls if s.startswith("SELECT generation")], sqls
        assert "kb_kbstate" in sqls[0]


def test_an_offered_generation_is_kept_only_where_none_was_read(kb, bumps):
    generation.offer(12345)  # outside a request scope: nothing to keep it
    assert generation.current() == KbState.current() != 12345
    with generation.request_scope():
        generation.offer(111)
        generation.offer(222)  # the first read of the request stands
        assert generation.current() == 111
    with generation.request_scope():
        assert generation.current() == KbState.current()
        generation.offer(333)
        assert generation.current() == KbState.current()
    with generation.request_scope(), batch():
        change_service()  # waiting for the end of the batch: the generation moves before anything is kept
        generation.offer(444)
        assert generation.current() == KbState.current() != 444
