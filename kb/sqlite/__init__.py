"""The project's SQLite database backend (settings ENGINE "kb.sqlite"): Django's, with one fix (see base.py)."""
