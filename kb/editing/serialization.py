"""The serialization format of an entry's revisions: Django's JSON, plus the many-to-many fields that go through a
model of their own (``Entry.counterparts`` through ``Counterpart``), which Django's serializers leave out. A revision
thus names its counterparts as it always did; how each pair is known comes with the followed ``Counterpart`` rows.

Registered as ``kb_json`` by :func:`kb.editing.history.register_models`."""

from django.core.serializers.json import Deserializer as JsonDeserializer
from django.core.serializers.json import Serializer as JsonSerializer

FORMAT = "kb_json"
Deserializer = JsonDeserializer


class Serializer(JsonSerializer):
    def handle_m2m_field(self, obj, field):
        if field.remote_field.through._meta.auto_created:
            return super().handle_m2m_field(obj, field)
        related = getattr(obj, field.name).all()
        if self.use_natural_foreign_keys and hasattr(field.remote_field.model, "natural_key"):
            self._current[field.name] = [r.natural_key() for r in related]
        else:
            self._current[field.name] = [r.pk for r in related]
