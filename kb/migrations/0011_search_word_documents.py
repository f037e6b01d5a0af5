# Document frequencies for ranking: each search document keeps its entry's vocabulary (``words``) and each
# SearchWord how many entries use it (``documents``). The column is added with plain SQL: on SQLite Django would
# rebuild kb_entrydocument to add a NOT NULL column, which would drop the FTS5 triggers of migration 0004.
# Existing databases get both filled here, with the same word rule as kb.search.index.document_words.

from collections import Counter

from django.db import migrations, models

from kb.search.text import STOPWORDS, camel_words, words


def vocabulary(code, b, c, d):
    return {w for w in words(" ".join([b, c, d, camel_words(code)])) if 3 <= len(w) <= 40 and not w.isdigit()} - STOPWORDS


def fill(apps, schema_editor):
    EntryDocument = apps.get_model("kb", "EntryDocument")
    SearchWord = apps.get_model("kb", "SearchWord")
    db = schema_editor.connection.alias
    counts = Counter()
    docs = EntryDocument.objects.using(db).select_related("entry").only("entry__code", "b", "c", "d")
    for doc in docs.iterator(chunk_size=2000):
        found = vocabulary(doc.entry.code, doc.b, doc.c, doc.d)
        counts.update(found)
        EntryDocument.objects.using(db).filter(pk=doc.pk).update(words=" ".join(sorted(found)))
    for term, n in counts.items():
        SearchWord.objects.using(db).filter(term=term).update(documents=n)


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0010_message_language'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name='entrydocument',
                    name='words',
                    field=models.TextField(blank=True, help_text="The entry's vocabulary, space-separated: what SearchWord.documents counts"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE kb_entrydocument ADD COLUMN words text NOT NULL DEFAULT ''",
                    "ALTER TABLE kb_entrydocument DROP COLUMN words",
                ),
            ],
        ),
        migrations.AddField(
            model_name='searchword',
            name='documents',
            field=models.PositiveIntegerField(default=0, help_text='How many published entries use the word (its document frequency, for ranking)'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
