# RateCounter's content type follows the model from kb to core, with any permission a person was granted on it. A
# fresh database has no content types yet: post_migrate creates it, under core, after this runs.

from django.db import migrations


def move(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    old = ContentType.objects.using(db).filter(app_label=source, model="ratecounter").first()
    if old is None:
        return
    ContentType.objects.using(db).filter(app_label=target, model="ratecounter").delete()
    old.app_label = target
    old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    move(apps, schema_editor, "kb", "core")


def backwards(apps, schema_editor):
    move(apps, schema_editor, "core", "kb")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
