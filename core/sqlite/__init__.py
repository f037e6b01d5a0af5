"""The project's SQLite database backend (settings ENGINE "core.sqlite"): Django's, with one fix (see base.py)."""
