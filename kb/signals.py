"""Any change to the knowledge bumps the KB generation, which invalidates cached pages in every process."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from kb import generation
from kb.models import Alias, Cause, Command, Entry, Service, Step


def bump(**kwargs):
    # In the same transaction as the change: the new generation becomes visible exactly when the change does.
    if not kwargs.get("raw"):
        generation.bump()


def connect():
    for model in (Service, Command, Entry, Alias, Cause, Step):
        post_save.connect(bump, sender=model, dispatch_uid=f"kb-bump-save-{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"kb-bump-delete-{model.__name__}")
    for through in (Entry.related.through, Cause.commands.through, Cause.services.through):
        m2m_changed.connect(bump, sender=through, dispatch_uid=f"kb-bump-m2m-{through.__name__}")
