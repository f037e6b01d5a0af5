"""The triage card: a whole pasted ticket read into what it holds (codes, statuses, commands, sites, tracking IDs,
times), each linked to what the knowledge base says, with what is still missing before escalating.

* ``card``: :func:`build_card` (the one entry point, reusing ``kb.search.search`` and ``webex.detect`` per part of
  the ticket) and the card as ticket text (``core.tickets``) and JSON;
* ``models``: :class:`TriageCard`, a card's redacted ticket kept for a short time behind a permalink;
* ``views``: ``/triage/``, ``/triage/<token>/``, its ticket text, and ``POST /api/triage/``.
"""
