# --- replay (issue 5): admin for sites and replay records lives in admin_replay.py ---
from troubleshooter import admin_replay  # noqa: F401
