"""The site's own state: counters shared by every app process (rate limits and the log-in throttle)."""

from django.db import models


class RateCounter(models.Model):
    """Requests counted per key and fixed time window, in the database so that every app process shares them."""

    key = models.CharField(max_length=200)
    window = models.BigIntegerField(help_text="Start of the window, in seconds since the epoch")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "kb_ratecounter"  # the table kept its name when the model moved from kb (core 0001)
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="kb_ratecounter_key_window_uniq")]
        indexes = [models.Index(fields=["window"], name="kb_ratecounter_window_idx")]

    def __str__(self):
        return f"{self.key} @ {self.window}: {self.count}"


class KnownLoginAddress(models.Model):
    """An address a user has logged in from (core/throttle.py): the lock of an account under attack does not stop
    its owner there. Kept as a keyed hash of the address (HMAC with SECRET_KEY), never the address itself."""

    username = models.CharField(max_length=150, help_text="The user name as the throttle normalises it")
    address_hash = models.CharField(max_length=64)
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "address_hash"], name="core_knownloginaddress_uniq")]

    def __str__(self):
        return f"{self.username} @ {self.address_hash[:8]}…"
