"""Which language a query is written in, and which of its words are everyday English.

Help desks get tickets in the user's language, and client plugins ship translated messages. Search uses the language
to stay honest: typo correction runs only on English text (it never rewrites a word of another language, such as
Vietnamese "trong" into "wrong"), and words of a language with no stored messages are no evidence for an entry.

Word frequencies come from wordfreq (its "small" lists, loaded per language on first use). A query's language is the
one whose list knows its words best (the mean Zipf frequency of its letter words; codes, URLs, numbers and the
knowledge base's product words left out), among the languages listed in ``lexicon.json``; English wins ties and near
ties, and a text whose words no list knows is undetermined ("und"). Short queries are often undetermined, which is
why ``correctable`` lets one or two unknown words be corrected when nothing says they are another language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from kb.search.lexicon import data, untouchable
from kb.search.text import space_scripts

ENGLISH = "en"
UNDETERMINED = "und"
COMMON_ZIPF = 3.0  # a word at least this frequent in English is everyday English: never "corrected"
KNOWN_ZIPF = 1.5  # below this mean frequency no language knows the text
ENGLISH_MARGIN = 0.5  # English wins when it is this close to the best language
EVERYDAY_OTHER_ZIPF = 3.5  # a word this frequent in its own language is everyday there (Polish jest, Russian не)
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Language:
    code: str  # "en", "de", "pt" …, or "und"
    words: tuple[str, ...]  # the letter words it was judged on

    @property
    def is_english(self) -> bool:
        return self.code == ENGLISH

    @property
    def is_other(self) -> bool:
        """Written in a language other than English (not merely undetermined)."""
        return self.code not in (ENGLISH, UNDETERMINED)

    @property
    def correctable(self) -> bool:
        """Typo correction may run: English text, or one or two words nothing marks as another language."""
        return self.is_english or (self.code == UNDETERMINED and len(self.words) <= 2)


@cache
def languages() -> tuple[str, ...]:
    return tuple(data()["languages"])


@cache
def product_words() -> frozenset[str]:
    return frozenset(data()["product_words"])


@lru_cache(maxsize=20000)
def zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, language, wordlist="small")


def is_common_english(word: str) -> bool:
    """An everyday English word ("role", "rate", "date"): typo correction never touches it."""
    return zipf(word, ENGLISH) >= COMMON_ZIPF


def everyday_words(query_words, lang: Language) -> frozenset[str]:
    """The query's words that are everyday words of its language (not English): "jest", "nie", "możesz", "не".
    Search leaves them out unless the glossary translates them (lexicon.slots): the knowledge base holds only a few
    messages per language, so such a word would tell entries apart by which translation happens to use it, not by
    what the entry is about. The rare words left (names, technical terms) and the glossary's words are the evidence."""
    if not lang.is_other or lang.code not in languages():  # Chinese, Japanese, Korean: their runs are split apart
        return frozenset()
    return frozenset(w for w in query_words if zipf(w, lang.code) >= EVERYDAY_OTHER_ZIPF)


def letter_words(text: str) -> list[str]:
    """The words a language is judged on: letters only, lower case, accents kept; codes, URLs, parameters,
    numbers and product words (webex, meeting …) left out."""
    out = []
    for token in space_scripts(text or "").split():
        if untouchable(token):
            continue
        for word in _LETTERS.findall(token.lower()):
            if len(word) >= 2 and word not in product_words():
                out.append(word)
    return out[:40]


# Scripts that name their language outright (wordfreq needs extra tokenizers for them).
_SCRIPTS = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # kana
    (re.compile(r"[\uac00-\ud7af]"), "ko"),  # hangul
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),  # Han characters without kana
)


def detect(text: str) -> Language:
    ws = tuple(letter_words(text))
    if not ws:
        return Language(UNDETERMINED, ws)
    joined = "".join(ws)
    for script, code in _SCRIPTS:
        if len(script.findall(joined)) * 3 >= len(joined):
            return Language(code, ws)
    scores = {lang: sum(zipf(w, lang) for w in ws) / len(ws) for lang in languages()}
    best = max(scores, key=lambda lang: (scores[lang], lang == ENGLISH))
    if scores[best] < KNOWN_ZIPF:
        return Language(UNDETERMINED, ws)
    if scores.get(ENGLISH, 0.0) >= scores[best] - ENGLISH_MARGIN:
        return Language(ENGLISH, ws)
    return Language(best, ws)
