# --- replay (issue 5): sites and replay records live in models_replay.py ---
from troubleshooter.models_replay import ReplayRecord, Site  # noqa: F401
