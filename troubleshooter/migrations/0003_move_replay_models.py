# Site and ReplayRecord moved to the replay app (replay/migrations/0001_initial.py takes them over).
# Their tables, troubleshooter_site and troubleshooter_replayrecord, stay where they are: only the state changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('troubleshooter', '0002_replay'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='ReplayRecord'),
                migrations.DeleteModel(name='Site'),
            ],
            database_operations=[],
        ),
    ]
