# RateCounter moves here from kb (kb/migrations/0009_move_rate_counter_to_core.py removes it from kb's state). Its
# table keeps its name (db_table), so nothing in the database changes: the model is created in the state only.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kb", "0003_rate_counter"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=200)),
                        ("window", models.BigIntegerField(help_text="Start of the window, in seconds since the epoch")),
                        ("count", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "db_table": "kb_ratecounter",
                        "indexes": [models.Index(fields=["window"], name="kb_ratecounter_window_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("key", "window"), name="kb_ratecounter_key_window_uniq")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
