"""Changes to the knowledge, through the ORM: each moves the KB generation once and keeps the search index current.

The generation (kb.generation) invalidates every cached page, answer and graph in every process. One save, delete
or many-to-many change sends one signal to one receiver here, and moves the generation exactly once, together with
the search index's own writes. ``connect()`` runs from ``KbConfig.ready()``.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from kb import generation
from kb.models import Alias, Cause, Command, Condition, Counterpart, Entry, Message, Service, Step, TimelineEvent
from kb.search import index

# Whose deletes move the generation here: a delete cascading from one of them leaves it to the origin's own signal.
BUMPING = (Service, Command, Entry, Alias, Cause, Step, Message, Counterpart, TimelineEvent, Condition)
# Whose changes the search index follows (an entry's own delete takes its index rows with it).
INDEXED_SAVES = (Entry, Alias, Cause, Step, Message)
INDEXED_DELETES = (Alias, Cause, Step, Message)
INDEXED_LINKS = (Cause.commands.through, Cause.services.through)


def bump(sender=None, instance=None, **kwargs):
    """Receiver: move the generation (troubleshooter connects it for flows, nodes and choices too).

    Not for a raw save (a fixture being deserialised), nor before a many-to-many change (only after it), nor for a
    row deleted in cascade from a knowledge row whose own delete signal moves it."""
    if kwargs.get("raw"):
        return
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return
    origin = kwargs.get("origin")
    if isinstance(origin, BUMPING) and origin is not instance:
        return
    generation.bump()


def reindex_and_bump(sender, instance=None, **kwargs):
    """Receiver for what the search index holds: reindex the entry the change touched, and move the generation once."""
    with generation.bumps_once():
        index.on_model_change(sender, instance, **kwargs)
        bump(sender, instance, **kwargs)


def connect():
    for model in BUMPING:
        receiver = reindex_and_bump if model in INDEXED_SAVES else bump
        post_save.connect(receiver, sender=model, dispatch_uid=f"kb-change-save-{model.__name__}")
        receiver = reindex_and_bump if model in INDEXED_DELETES else bump
        post_delete.connect(receiver, sender=model, dispatch_uid=f"kb-change-delete-{model.__name__}")
    for through in (Entry.related.through, Condition.entries.through, *INDEXED_LINKS):
        receiver = reindex_and_bump if through in INDEXED_LINKS else bump
        m2m_changed.connect(receiver, sender=through, dispatch_uid=f"kb-change-m2m-{through.__name__}")
