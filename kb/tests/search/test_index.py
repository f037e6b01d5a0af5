"""The search index follows the entries: ORM saves and deletes, the loader's batch, and a full rebuild."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from kb.models import Alias, Cause, Command, Entry, EntryDocument, SearchKey, Step
from kb.search import batch, reindex, search
from kb.search import index as search_module


def codes(query):
    return [r.code for r in search(query).results]


def make_entry(code="QuokkaFailure", word="marsupial", alias=None):
    entry = Entry.objects.create(
        code=code,
        title=f"{code} title",
        summary="A test entry.",
        api="url",
        category="service",
        source="test",
        confidence="low",
    )
    cause = Cause.objects.create(
        entry=entry, slug="only", api="url", title="Only cause", meaning="Meaning.", when_seen="When."
    )
    Step.objects.create(cause=cause, position=1, text=f"Feed the {word} and retry.")
    if alias:
        Alias.objects.create(entry=entry, alias=alias)
    return entry


@pytest.mark.django_db
def test_new_entry_is_found_by_code_step_word_and_alias():
    make_entry(alias="QuokkaFail")
    assert codes("QuokkaFailure")[0] == "QuokkaFailure"
    assert codes("marsupial") == ["QuokkaFailure"]
    assert codes("quokkafail")[0] == "QuokkaFailure"
    assert codes("quokk")[0] == "QuokkaFailure"
    assert search("quokkafailur").results[0].code == "QuokkaFailure"


@pytest.mark.django_db
def test_edits_are_reindexed():
    entry = make_entry()
    step = Step.objects.get(cause__entry=entry)
    step.text = "Walk the wombat."
    step.save()
    assert codes("marsupial") == []
    assert codes("wombat") == ["QuokkaFailure"]
    entry.title = "Platypus trouble"
    entry.save()
    assert codes("platypus") == ["QuokkaFailure"]


@pytest.mark.django_db
def test_alias_and_cause_removal_are_reindexed():
    entry = make_entry(alias="QuokkaAlias")
    Alias.objects.filter(entry=entry).delete()
    assert "QuokkaFailure" not in codes("QuokkaAlias")
    Cause.objects.filter(entry=entry).delete()
    assert codes("marsupial") == []


@pytest.mark.django_db
def test_command_links_are_reindexed_through_m2m():
    entry = make_entry()
    cause = entry.causes.get()
    cause.commands.add(Command.objects.get(service__name="p.php", code="LO"))
    assert "QuokkaFailure" in codes("p.php?AT=LO")


@pytest.mark.django_db(transaction=True)
def test_deleting_an_entry_removes_it_and_commits_cleanly():
    entry = make_entry(alias="QuokkaAlias")
    entry_id = entry.pk
    entry.delete()
    assert not EntryDocument.objects.filter(entry_id=entry_id).exists()
    assert not SearchKey.objects.filter(entry_id=entry_id).exists()
    assert codes("marsupial") == []
    assert codes("QuokkaFailure") == []


@pytest.mark.django_db(transaction=True)
def test_deleting_entries_through_a_queryset_commits_cleanly():
    make_entry("QuokkaOne")
    make_entry("QuokkaTwo", word="numbat")
    Entry.objects.filter(code__startswith="Quokka").delete()
    assert codes("numbat") == []
    assert not EntryDocument.objects.exists()


@pytest.mark.django_db
def test_batch_indexes_once_at_the_end(monkeypatch):
    calls = []
    real = search_module.reindex
    monkeypatch.setattr(search_module, "reindex", lambda ids=None, **kw: (calls.append(set(ids)), real(ids, **kw)))
    with batch():
        entry = make_entry()
        assert calls == []
        assert codes("marsupial") == []
    assert calls == [{entry.pk}]
    assert codes("marsupial") == ["QuokkaFailure"]


@pytest.mark.django_db
def test_batch_does_not_index_when_the_block_fails():
    with pytest.raises(RuntimeError), batch():
        make_entry()
        raise RuntimeError("boom")
    assert not EntryDocument.objects.filter(entry__code="QuokkaFailure").exists()


@pytest.mark.django_db(transaction=True)
def test_loader_builds_the_index(settings, tmp_path):
    call_command("load_kb", verbosity=0, stdout=io.StringIO())
    assert EntryDocument.objects.count() == Entry.objects.count() > 30
    assert codes("wrong password")[0] == "BadWebExIDorPassword"
    call_command("load_kb", verbosity=0, stdout=io.StringIO())  # idempotent
    assert EntryDocument.objects.count() == Entry.objects.count()


@pytest.mark.django_db
def test_full_rebuild_gives_the_same_answers(kb):
    before = {q: codes(q) for q in ("wrong password", "badweb", "p.php?AT=SU", "accesdenied")}
    assert reindex() == Entry.objects.count()
    assert {q: codes(q) for q in before} == before


@pytest.mark.django_db
def test_reindex_of_nothing_is_a_no_op():
    assert reindex([]) == 0


@pytest.mark.django_db
def test_vendor_index_exists():
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'kb_entrydocument'")
            assert "kb_entrydocument_vector_gin" in {row[0] for row in cur.fetchall()}
            cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cur.fetchone()
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE name LIKE 'kb_entry%'")
            names = {row[0] for row in cur.fetchall()}
            assert {"kb_entry_fts", "kb_entrydocument_fts_ai", "kb_entrydocument_fts_ad"} <= names


def test_reindex_command(db, kb):
    out = io.StringIO()
    call_command("reindex_search", stdout=out)
    assert "Indexed" in out.getvalue()


@pytest.mark.django_db
def test_cached_answers_go_stale_when_the_index_changes(kb):
    from kb.search import answer_cache

    answer_cache.clear()
    assert codes("marsupial") == []
    assert codes("marsupial") == []  # served from the cache
    make_entry()  # reindexes, which changes the generation
    assert codes("marsupial") == ["QuokkaFailure"]


@pytest.mark.django_db
def test_cache_key_never_holds_a_password(kb):
    from kb.search import answer_cache

    answer_cache.clear()
    search("AT=LI&ST=FAIL&RS=AlreadyLogon&PW=Hunter2-cache")
    assert "Hunter2-cache" not in repr(list(answer_cache.items))
