"""A replay started from a wizard step: the step's path is carried as ``from=`` and checked here, so that only a
same-site ``/troubleshoot/…`` path is ever linked back to (never another site: no open redirect)."""

from urllib.parse import urlsplit

from django.utils.http import url_has_allowed_host_and_scheme

STEP_PREFIX = "/troubleshoot/"
MAX_STEP_LENGTH = 600


def safe_step_path(value) -> str:
    """``value`` when it is a relative /troubleshoot/ path (with its query), else ""."""
    value = (value or "").strip()
    if not value or len(value) > MAX_STEP_LENGTH or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return ""
    if "\\" in value or value.startswith("//") or not value.startswith(STEP_PREFIX):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.fragment or ".." in parts.path.split("/"):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    return value
