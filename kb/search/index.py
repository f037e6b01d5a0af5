"""The search index: derived tables (EntryDocument, SearchKey, SearchWord and the vendor indexes) kept current.

``reindex()`` rebuilds the rows of some entries, or of all; ``on_model_change`` (a signal receiver, see
kb/signals.py) reindexes the entry a change touched; ``batch()`` defers that to one reindex at the end of a
block of bulk writes.
"""

import threading
from collections import Counter, defaultdict
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F, Prefetch, Value
from django.db.models.functions import Greatest

from kb import generation
from kb.models import Alias, Cause, Entry, EntryDocument, Message, SearchKey, SearchWord
from kb.search.backends import backend
from kb.search.text import STOPWORDS, camel_words, key_term, words


def build_document(entry) -> tuple[EntryDocument, list[SearchKey], set[str]]:
    """The search document, keys and vocabulary of one entry (aliases, messages and causes with steps prefetched)."""
    aliases = [a.alias for a in entry.aliases.all()]
    causes = list(entry.causes.all())
    messages = [m.text for m in entry.messages.all()]
    english = [m.text for m in entry.messages.all() if m.language == "en"]
    a = " ".join([entry.code, camel_words(entry.code), *aliases, *(camel_words(x) for x in aliases)])
    # Message texts weigh as much as titles: they are what people paste (and are also looked up as whole phrases,
    # kb.search.knowledge).
    b = " ".join([entry.title, *(c.title for c in causes), *messages])
    c = " ".join([entry.summary, *(f"{x.meaning} {x.when_seen}" for x in causes)])
    d = " ".join(step.text for x in causes for step in x.steps.all())
    doc = EntryDocument(entry=entry, a=a, b=b, c=c, d=d)
    keys = {}
    for display, is_code in [(entry.code, True), *((x, False) for x in aliases)]:
        term = key_term(display)
        if term and term not in keys:
            keys[term] = SearchKey(entry=entry, term=term, display=display, is_code=is_code)
    # The vocabulary is English: words of translated messages are searchable, but no typo is corrected into one.
    vocabulary = document_words(entry.code, " ".join([entry.title, *(x.title for x in causes), *english]), c, d)
    doc.words = " ".join(sorted(vocabulary))
    return doc, list(keys.values()), vocabulary


def document_words(code, b, c, d) -> set[str]:
    """An entry's vocabulary: the words of its titles, messages, texts, steps and code parts (3 to 40 letters, no
    stopword, no number). SearchWord holds the union, with how many entries use each word."""
    return {
        w for w in words(" ".join([b, c, d, camel_words(code)])) if 3 <= len(w) <= 40 and not w.isdigit()
    } - STOPWORDS


def _entries_for_index(ids=None):
    # Drafts are for KB editors only: they are left out of the index, so search never finds them.
    qs = (
        Entry.objects.published()
        .prefetch_related("aliases", "messages", Prefetch("causes", queryset=Cause.objects.prefetch_related("steps")))
        .only("id", "code", "title", "summary")
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def reindex(entries=None, *, batch_size=2000):
    """Rebuild the search index for ``entries`` (instances or ids), or for every entry when None."""
    be = backend()
    full = entries is None
    ids = None if full else sorted({getattr(e, "pk", e) for e in entries})
    if ids == []:
        return 0
    count = 0
    with transaction.atomic():
        if full:
            EntryDocument.objects.all().delete()
            SearchKey.objects.all().delete()
            SearchWord.objects.all().delete()
            be.clear_terms()
        chunks = [None] if full else [ids[i : i + batch_size] for i in range(0, len(ids), batch_size)]
        for chunk in chunks:
            if chunk is not None:
                # Entries that changed or were deleted: drop their rows first (and their words' counts), then write
                # what exists now.
                old = EntryDocument.objects.filter(entry_id__in=chunk)
                _count_words((text.split() for text in old.values_list("words", flat=True)), -1)
                old.delete()
                SearchKey.objects.filter(entry_id__in=chunk).delete()
            qs = _entries_for_index(chunk)
            if full:
                qs = qs.order_by("pk").iterator(chunk_size=batch_size)
            docs, keys, vocabulary = [], [], Counter()
            for entry in qs:
                doc, entry_keys, entry_words = build_document(entry)
                docs.append(doc)
                keys.extend(entry_keys)
                vocabulary.update(entry_words)
                count += 1
                if len(docs) >= batch_size:
                    _write(be, docs, keys, vocabulary)
                    docs, keys, vocabulary = [], [], Counter()
            _write(be, docs, keys, vocabulary)
        generation.bump()  # every cached answer and page, in every process, is stale now
    return count


def _write(be, docs, keys, vocabulary: Counter):
    """Write documents and keys; ``vocabulary`` counts, for each word, how many of ``docs`` use it."""
    EntryDocument.objects.bulk_create(docs, batch_size=1000)
    SearchKey.objects.bulk_create(keys, batch_size=1000)
    new_words = []
    if vocabulary:
        known = set()
        for chunk in _chunks(sorted(vocabulary), 500):
            known |= set(SearchWord.objects.filter(term__in=chunk).values_list("term", flat=True))
        new_words = sorted(set(vocabulary) - known)
        SearchWord.objects.bulk_create(
            [SearchWord(term=w, documents=vocabulary[w]) for w in new_words], batch_size=1000, ignore_conflicts=True
        )
        _add_counts({w: n for w, n in vocabulary.items() if w in known})
    be.add_terms({k.term for k in keys} | set(new_words))


def _count_words(vocabularies, sign):
    counts = Counter()
    for vocabulary in vocabularies:
        counts.update(vocabulary)
    _add_counts({w: sign * n for w, n in counts.items()})


def _add_counts(deltas):
    """Move each word's document count by its delta, in one UPDATE per distinct delta (never below zero)."""
    by_delta = defaultdict(list)
    for word, delta in deltas.items():
        if delta:
            by_delta[delta].append(word)
    for delta, terms in by_delta.items():
        for chunk in _chunks(sorted(terms), 500):
            SearchWord.objects.filter(term__in=chunk).update(documents=Greatest(F("documents") + delta, Value(0)))


def _chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i : i + size]


_state = threading.local()


@contextmanager
def batch():
    """Index once, at the end, the entries changed inside the block (use it around bulk writes).

    The loader wraps its transaction with it; without it every ORM save reindexes its entry at once. The KB
    generation moves once too, at the end, for every change of the block and the reindex together.
    """
    with generation.bumps_once():
        depth = getattr(_state, "depth", 0)
        if depth == 0:
            _state.pending = set()
        _state.depth = depth + 1
        ok = False
        try:
            yield
            ok = True
        finally:
            _state.depth -= 1
            if _state.depth == 0:
                pending, _state.pending = _state.pending, None
                if ok and pending:
                    reindex(pending)


def _entry_ids_for(sender, instance, kwargs) -> set:
    if isinstance(instance, Entry):
        return {instance.pk}
    if isinstance(instance, Alias | Cause | Message):
        return {instance.entry_id}
    if sender is Cause.commands.through or sender is Cause.services.through:
        if kwargs.get("reverse"):
            return set(Cause.objects.filter(pk__in=kwargs.get("pk_set") or ()).values_list("entry_id", flat=True))
        return {instance.entry_id} if isinstance(instance, Cause) else set()
    cause_id = getattr(instance, "cause_id", None)
    if cause_id is not None:
        return set(Cause.objects.filter(pk=cause_id).values_list("entry_id", flat=True))
    return set()


def on_model_change(sender, instance, **kwargs):
    """Signal receiver (connected in kb/signals.py): keep the index of the touched entry current."""
    action = kwargs.get("action")
    if action is not None and action not in ("post_add", "post_remove", "post_clear"):
        return
    origin = kwargs.get("origin")
    if origin is not None and (getattr(origin, "model", None) is Entry or isinstance(origin, Entry)):
        return  # the entry itself is being deleted: its index rows go with it (on delete cascade)
    ids = {i for i in _entry_ids_for(sender, instance, kwargs) if i is not None}
    if not ids:
        return
    pending = getattr(_state, "pending", None)
    if pending is not None:
        pending.update(ids)
        return
    reindex(ids)
