"""The answer cache: recent search answers of this process, each valid for the KB generation it was computed for.

Search as you type repeats itself, across a team too. A change to the knowledge anywhere moves the generation
(kb.generation), so no process serves an answer computed before it.
"""

from django.conf import settings

from kb.generation import GenerationCache

answer_cache = GenerationCache(size=lambda: settings.SEARCH_CACHE_SIZE)  # read at each store: 0 keeps nothing
