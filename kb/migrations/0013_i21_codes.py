"""Counterparts say how they are known (a ``basis`` on the existing pair table, now the ``Counterpart`` model), and
a timeline per code (``TimelineEvent``). Additive: the pair table keeps its name and rows; existing pairs start as
``inferred`` (the safe reading) until ``load_kb`` sets each pair's basis."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_search_log_unanswered"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table Django made for the plain many-to-many field becomes the through model's: same table,
            # same columns and unique pair, so the database is left as it is.
            state_operations=[
                migrations.CreateModel(
                    name="Counterpart",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "from_entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="counterpart_links",
                                to="kb.entry",
                            ),
                        ),
                        (
                            "to_entry",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="kb.entry"
                            ),
                        ),
                    ],
                    options={"db_table": "kb_entry_counterparts", "unique_together": {("from_entry", "to_entry")}},
                ),
                migrations.AlterField(
                    model_name="entry",
                    name="counterparts",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text=(
                            "Entries of the other API that report what looks like the same failure "
                            "(each pair says how known)"
                        ),
                        through="kb.Counterpart",
                        through_fields=("from_entry", "to_entry"),
                        to="kb.entry",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="counterpart",
            name="basis",
            field=models.CharField(
                choices=[
                    ("documented", "A source pairs them"),
                    ("same_meaning", "Same meaning in two Cisco documents"),
                    ("inferred", "Inferred from the wording"),
                ],
                default="inferred",
                max_length=12,
            ),
        ),
        migrations.CreateModel(
            name="TimelineEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "version",
                    models.CharField(
                        help_text="The API release (XML API 8.0 SP12, API 41.12) or a date", max_length=40
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, help_text="Order on the entry: oldest first")),
                ("change", models.TextField(help_text="What changed")),
                ("source", models.CharField(help_text="The release note or page that says so", max_length=300)),
                (
                    "confidence",
                    models.CharField(
                        choices=[("high", "High"), ("medium", "Medium"), ("low", "Low")], max_length=6
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="timeline", to="kb.entry"
                    ),
                ),
            ],
            options={"ordering": ["entry", "position", "pk"]},
        ),
    ]
