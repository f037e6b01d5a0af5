"""How sure a fact is: shared by the models of entries and conditions (kb/models.py, kb/conditions.py)."""

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
