# The content types of Site and ReplayRecord follow the models from troubleshooter to replay, so that their
# permissions (can_replay among them), and every group and user holding one, move with them. A fresh database has
# no content types yet: post_migrate creates them, under replay, after this runs.

from django.db import migrations

MODELS = ("site", "replayrecord")


def move(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for model in MODELS:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        stray = ContentType.objects.using(db).filter(app_label=target, model=model).first()
        if stray is not None:
            # post_migrate already made the content type under its new label (a migrate run that stopped between
            # replay 0001 and this): keep the old one, which the admin log points at, with every grant of both.
            for permission in Permission.objects.using(db).filter(content_type=stray):
                kept = Permission.objects.using(db).filter(content_type=old, codename=permission.codename).first()
                if kept is None:
                    permission.content_type = old
                    permission.save(update_fields=["content_type"])
                    continue
                for group in permission.group_set.all():
                    group.permissions.add(kept)
                for user in permission.user_set.all():
                    user.user_permissions.add(kept)
            stray.delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    move(apps, schema_editor, "troubleshooter", "replay")


def backwards(apps, schema_editor):
    move(apps, schema_editor, "replay", "troubleshooter")


class Migration(migrations.Migration):

    dependencies = [
        ('replay', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
