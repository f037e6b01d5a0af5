# Site and ReplayRecord move here from troubleshooter (troubleshooter/migrations/0003_move_replay_models.py removes
# them from its state). Their tables keep their names (db_table), so nothing in the database changes: the models
# are created in the state only.

import django.core.validators
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('troubleshooter', '0003_move_replay_models'),
        ('kb', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Site',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=120)),
                        ('slug', models.SlugField(max_length=60, unique=True)),
                        ('base_url', models.URLField(help_text="The site's URL API base, e.g. https://acme.webex.com/acme/ (p.php, m.php … are sent below it).", max_length=300)),
                        ('xml_url', models.URLField(blank=True, help_text='Leave empty to use https://<host>/WBXService/XMLService of the base URL.', max_length=300, verbose_name='XML API URL')),
                        ('partner_id', models.CharField(blank=True, help_text='PID, for SU and EU commands', max_length=60, verbose_name='partner ID')),
                        ('timeout', models.FloatField(default=10.0, help_text='Connect and read timeout of each request to this site.', validators=[django.core.validators.MinValueValidator(0.1), django.core.validators.MaxValueValidator(120)], verbose_name='timeout (seconds)')),
                        ('allow_private_network', models.BooleanField(default=False, help_text='Allow loopback and private addresses (and plain http). Only for a local sandbox or lab site.')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'db_table': 'troubleshooter_site',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='ReplayRecord',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('actor', models.CharField(help_text="Who replayed: the user name, or 'command line'", max_length=150)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('site_label', models.CharField(help_text="The site's name when the replay was made", max_length=120)),
                        ('api', models.CharField(choices=[('url', 'URL API'), ('xml', 'XML API')], default='url', max_length=4)),
                        ('method', models.CharField(choices=[('POST', 'POST'), ('GET', 'GET')], default='POST', max_length=4)),
                        ('command', models.CharField(blank=True, help_text='p.php?AT=LI or XMLService:user.GetUser', max_length=120)),
                        ('target', models.CharField(blank=True, help_text='scheme://host:port/path, never a query', max_length=400)),
                        ('parameters', models.JSONField(blank=True, default=list, help_text='[name, value] pairs; secrets are •••')),
                        ('request_xml', models.TextField(blank=True, help_text='The XML request, secrets replaced by •••')),
                        ('login_first', models.BooleanField(default=False)),
                        ('login_wid', models.CharField(blank=True, max_length=120, verbose_name='log-in WID')),
                        ('login_summary', models.CharField(blank=True, max_length=200)),
                        ('http_status', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('outcome', models.CharField(choices=[('success', 'Success'), ('fail', 'Failed (the site answered FAIL)'), ('timeout', 'Timed out'), ('blocked', 'Refused before sending'), ('error', 'Could not be made'), ('unrecognized', 'Unrecognised answer')], max_length=12)),
                        ('message', models.TextField(blank=True, help_text='What went wrong, for outcomes other than success/fail')),
                        ('answer_form', models.CharField(blank=True, max_length=30)),
                        ('st', models.CharField(blank=True, max_length=20, verbose_name='ST / result')),
                        ('rs', models.CharField(blank=True, max_length=80, verbose_name='RS')),
                        ('exception_id', models.CharField(blank=True, max_length=20, verbose_name='exception ID')),
                        ('reason', models.CharField(blank=True, help_text='serv:reason text of an XML API failure', max_length=300)),
                        ('location', models.TextField(blank=True, help_text='Redirect target (redacted); never followed')),
                        ('duration_ms', models.PositiveIntegerField(blank=True, null=True)),
                        ('response_preview', models.TextField(blank=True, help_text='Redacted and truncated')),
                        ('truncated', models.BooleanField(default=False, help_text='The body was cut off at 1 MiB')),
                        ('cause', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replays', to='kb.cause')),
                        ('entry', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replays', to='kb.entry')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replays', to=settings.AUTH_USER_MODEL)),
                        ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replays', to='replay.site')),
                    ],
                    options={
                        'db_table': 'troubleshooter_replayrecord',
                        'ordering': ['-created_at'],
                        'permissions': [('can_replay', 'Can replay commands against a WebEx site and see replay records')],
                        'indexes': [models.Index(fields=['user', 'created_at'], name='ts_replay_user_created_idx'), models.Index(fields=['site', 'outcome', 'created_at'], name='ts_replay_site_outcome_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
