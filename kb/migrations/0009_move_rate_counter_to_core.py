# RateCounter moves to core (core/migrations/0001_initial.py creates it there, in the state only). The table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0008_messages_and_counterparts'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RateCounter')],
            database_operations=[],
        ),
    ]
