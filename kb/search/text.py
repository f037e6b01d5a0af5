"""Text helpers shared by indexing and querying: folding, words, stems, typo distance, snippets and marks."""

import re
import unicodedata
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 220
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"  # private-use markers, turned into <mark> after escaping


# PostgreSQL's english.stop (the Snowball list). Dropped from queries on both vendors, so that both apply
# the same "all words" rule (to_tsquery drops them on PostgreSQL; FTS5 keeps every word).
_STOPWORDS_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing a an the and but if or
because as until while of at by for with about against between into through during before after
above below to from up down in out on off over under again further then once here there when where
why how all any both each few more most other some such no nor not only own same so than too very s
t can will just don should now
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# Chinese, Japanese and Korean characters: a run of them is a word of its own, apart from Latin letters written
# against it without a space ("使用者不能登入WebEx" is 使用者不能登入 and webex).
CJK_CHARS = "\u1100-\u11ff\u3130-\u318f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
CJK = re.compile(f"[{CJK_CHARS}]")
_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_WORD = re.compile(f"[{CJK_CHARS}]+|[^\\W_{CJK_CHARS}]+", re.UNICODE)
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def fold(text: str) -> str:
    """Lower case without accents."""
    text = text or ""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


def key_term(text: str) -> str:
    """A code or alias as an index key: lower case, letters and digits only (``Access Denied`` -> ``accessdenied``)."""
    return "".join(_WORD.findall(fold(text)))[:80]


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def space_scripts(text: str) -> str:
    """``text`` with a space either side of each run of Chinese, Japanese or Korean characters."""
    return _CJK_RUN.sub(lambda m: f" {m.group(0)} ", text) if CJK.search(text) else text


def camel_words(code: str) -> str:
    """``BadWebExIDorPassword`` -> ``Bad Web Ex I Dor Password``: the parts of a code, searchable as words."""
    return " ".join(_CAMEL.findall(code or ""))


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude English stem, enough to match "timed" with "time" and "meetings" with "meeting"."""
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def edit_distance(a: str, b: str, cap: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, stopping early above ``cap``."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2 = None
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            best = min(best, cur[j])
        if best > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


def typo_budget(term: str) -> int:
    """How many edits a typo of ``term`` may have: none below 4 characters, 1 up to 7, then 2."""
    if len(term) < 4:
        return 0
    return 1 if len(term) < 8 else 2


def deletion_variants(term: str, depth: int) -> set[str]:
    variants = {term}
    frontier = {term}
    for _ in range(depth):
        nxt = set()
        for t in frontier:
            for i in range(len(t)):
                nxt.add(t[:i] + t[i + 1 :])
        variants |= nxt
        frontier = nxt
    return variants


def highlight(text: str, terms, limit: int = SNIPPET_CHARS) -> SafeString:
    """Escape ``text``, cut it around the first matched term, and wrap matched words in <mark>. The private-use
    markers are taken out of ``text`` first: in an entry's own text they would become bare <mark> tags."""
    text = re.sub(r"\s+", " ", strip_marks(text or "")).strip()
    stems = [stem(t) for t in terms if t]
    pattern = None
    if stems:
        pattern = re.compile(
            r"\b(?:" + "|".join(re.escape(s) for s in sorted(set(stems), key=len, reverse=True)) + r")\w*",
            re.IGNORECASE,
        )
    if len(text) > limit:
        start = 0
        if pattern:
            m = pattern.search(text)
            if m and m.start() > limit // 2:
                start = max(0, m.start() - limit // 3)
                start = text.rfind(" ", 0, start) + 1
        cut = text[start : start + limit]
        if start + limit < len(text):
            cut = cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut
        text = ("\u2026" if start else "") + cut + ("\u2026" if start + limit < len(text) else "")
    if pattern:
        text = pattern.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, text)
    return marks_to_html(text)


def mark_matches(text: str, patterns, limit: int = SNIPPET_CHARS) -> str:
    """``text`` cut to about ``limit`` characters around the first match, matches wrapped in markers (any already in
    ``text`` taken out first)."""
    text = re.sub(r"\s+", " ", strip_marks(text or "")).strip()
    first = min((m.start() for p in patterns for m in [p.search(text)] if m), default=0)
    start = 0
    if len(text) > limit and first > limit // 3:
        start = text.rfind(" ", 0, first - limit // 4) + 1
    piece = text[start : start + limit]
    if start + limit < len(text) and " " in piece[limit // 2 :]:
        piece = piece[: piece.rfind(" ")]
    piece = ("\u2026" if start else "") + piece + ("\u2026" if start + len(piece) < len(text) else "")
    for p in patterns:
        piece = p.sub(lambda m: MARK_OPEN + m.group(0) + MARK_CLOSE, piece)
    return piece


def marks_to_html(text: str) -> SafeString:
    escaped = escape(text)
    return mark_safe(escaped.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def strip_marks(text: str) -> str:
    return text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
