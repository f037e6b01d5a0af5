"""How sure an answer is: ``confident`` is true only when its first entry is the diagnosis, not merely related.

The rule, decided from the dev corpus (``make eval`` reports how well it is calibrated, on the dev set and on the
held-out set it was never tuned on):

* the first result was found by strong evidence: the query is its code or alias (or holds one), the query is one of
  its known message texts (in any language) or quotes one (unless another entry, not its counterpart, has the same
  message), or a pasted answer that failed names its code;
* or by its words, when the query is in English (or in a language whose words a stored message matched), the first
  entry covers at least ``MIN_COVERAGE`` of the query's weight (rare words weigh more than common ones), and its text
  score beats the next entry's by at least ``MIN_MARGIN`` (its counterpart in the other API is not a rival, unless
  the pair is only inferred);
* never for words that had to be corrected, a code that only looks like the one typed ("did you mean"), the errors
  a command can return (a list is no diagnosis), a request or an answer that reports success, a code no entry has,
  or a code of another Cisco service.
"""

from __future__ import annotations

import kb.search.knowledge as knowledge

STRONG = frozenset({"code", "code-inside", "alias", "message", "message-inside", "detected"})
MIN_COVERAGE = 0.75
MIN_MARGIN = 12.0


def is_confident(response, hits) -> bool:
    """``response``: the SearchResponse being finished; ``hits``: its ranked hits, first first."""
    if not hits or response.other_service is not None:
        return False
    detected = response.detected
    if detected is not None and (detected.is_request or detected.is_success or detected.entry is None):
        return False
    top = hits[0]
    if top.how in STRONG:
        # The same message stored for two entries that are not counterparts (a client reusing one wording) names
        # neither for sure.
        return not any(h.how == top.how and h.how.startswith("message") and top.score - h.score < 1 for h in hits[1:])
    if top.how != "text" or top.text is None or response.language_is_other or response.corrected:
        return False
    if top.text.coverage < MIN_COVERAGE:
        return False
    # The same failure in the other API (a counterpart) is no rival: the margin is over the best other entry.
    same = {pk for pk, _code in knowledge.snapshot().counterparts.get(top.entry_id, ())}
    others = [h.text.score for h in hits[1:] if h.how == "text" and h.text is not None and h.entry_id not in same]
    return not others or top.text.score - max(others) >= MIN_MARGIN
