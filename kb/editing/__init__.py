"""Changing the knowledge base outside the admin, with nothing lost and everything traced.

* ``editor``: the editor page's form state, saving, restoring, marking reviewed, publishing and drafts (every change
  checked and written by ``kb.fixtures``, in one transaction);
* ``history``: one revision per change, with who and why, diffs and restores (django-reversion);
* ``review``: the review queue's sections, and the signals other apps register (``register_review_source``);
* ``access``: who may use the editors' pages;
* ``views`` and ``review_views``: the editor, its preview, pickers, history, and the review queue.
"""
