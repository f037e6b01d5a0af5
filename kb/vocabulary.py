"""Words the knowledge shares across its models: how sure a piece of knowledge is.

Kept apart from ``kb.models`` so that models in other modules of ``kb`` (``kb.conditions``) use the same vocabulary
without importing ``kb.models`` back; ``kb.models`` re-exports both names."""

from django.db import models


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


CONFIDENCE_HELP = {
    Confidence.HIGH: "Stated by Cisco's documentation or seen in a captured WebEx response.",
    Confidence.MEDIUM: "Seen in real client code that handles it; the exact wording was not confirmed.",
    Confidence.LOW: "Inferred from the code's name or indirect evidence; treat as unconfirmed.",
}
