"""Search's word data, read once from ``lexicon.json``: synonyms, words typo correction never touches, and opposites.

* ``slots(words)``: the query's words as slots, each the tuple of what it may match (the word or phrase as typed
  first, then its synonyms). A phrase of a group ("already exists", "e mail", "timed out") is one slot. The text
  passes AND the slots and OR inside each, so a synonym widens one word without flooding the results.
* ``PROTECTED``: words typo correction never touches (meaning words such as inactive or disabled, common English).
* ``flips_meaning(word, candidate)``: a correction that would turn a word into its opposite (inactive -> active).
* ``code_shape(token)``: the kinds of code WebEx and Cisco write; ``untouchable(token)``: tokens that are codes, URLs,
  XML, paths or parameters.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kb.search.text import CJK, STOPWORDS, words

DATA_FILE = Path(__file__).with_name("lexicon.json")
MAX_PHRASE = 5  # words in the longest synonym phrase looked for

# Words a negation or a "not found" depends on: kept in phrases and message keys although they are stopwords.
NEGATIONS = frozenset({"no", "not", "nor", "t", "don", "cannot"})


@cache
def data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def _phrase(text: str) -> str:
    return " ".join(words(text))


def _all_groups() -> list[list[str]]:
    """The synonym groups, each with the translations of its words (``translations``: keyed by an English member, or
    a group of their own)."""
    groups_ = [list(group) for group in data()["synonyms"]]
    for english, words_ in data()["translations"].items():
        home = next((group for group in groups_ if english in group), None)
        if home is None:
            home = [english]
            groups_.append(home)
        # Two Chinese or Japanese characters are a whole word (密碼, 會議); two letters are not.
        home.extend(w for w in words_ if len(_phrase(w).replace(" ", "")) >= (2 if CJK.search(w) else 3))
    return groups_


@cache
def groups() -> dict[str, tuple[str, ...]]:
    """{phrase (words joined by one space): every member of its groups, itself first}."""
    return _members(_all_groups())


@cache
def english_groups() -> dict[str, tuple[str, ...]]:
    """``groups()`` without the translations: what an English query's words match. The translations are for a
    query in another language; an English word gains nothing from them but a longer index query."""
    return _members([list(group) for group in data()["synonyms"]])


@cache
def _english_table() -> dict[str, tuple[str, ...]]:
    """Every phrase's members for an English query: its English synonyms where it has any, else its groups'."""
    return {**groups(), **english_groups()}


def _members(all_groups) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for group in all_groups:
        members = []
        for member in group:
            phrase = _phrase(member)
            if phrase and phrase not in members:
                members.append(phrase)
        for phrase in members:
            known = out.setdefault(phrase, [phrase])
            known.extend(m for m in members if m not in known)
    return {k: tuple(v) for k, v in out.items()}


INFLECTION = 2  # letters of ending either word may have beyond the stem they share (hasło, hasła; заблокирована)
MIN_STEM = 4


@cache
def _translations_by_start() -> dict[str, tuple[str, ...]]:
    """The one-word translations of the glossary, by their first ``MIN_STEM`` letters."""
    out: dict[str, list[str]] = {}
    for words_ in data()["translations"].values():
        for word in words_:
            phrase = _phrase(word)
            if " " not in phrase and len(phrase) >= MIN_STEM + 1:
                out.setdefault(phrase[:MIN_STEM], []).append(phrase)
    return {k: tuple(v) for k, v in out.items()}


def inflected(word: str) -> str | None:
    """The glossary's translation ``word`` is an inflection of: the same stem, each ending at most ``INFLECTION``
    letters (Polish zablokowane for zablokowany, Russian заблокирована for заблокирован). The glossary lists one
    form of each word; languages that inflect write many."""
    if len(word) < MIN_STEM + 1:
        return None
    best = None
    for form in _translations_by_start().get(word[:MIN_STEM], ()):
        shared = len(os.path.commonprefix([word, form]))
        endings_short = len(word) - shared <= INFLECTION and len(form) - shared <= INFLECTION
        if endings_short and shared * 5 >= max(len(word), len(form)) * 3 and (best is None or shared > best[0]):
            best = (shared, form)
    return best[1] if best else None


def synonyms(word: str) -> tuple[str, ...]:
    """The other members of ``word``'s synonym groups (words or phrases), or ()."""
    return groups().get(word, (word,))[1:]


@cache
def protected() -> frozenset[str]:
    d = data()
    found = set(d["protected"]) | {w for pair in d["opposites"] for w in pair if " " not in w}
    return frozenset(found) | STOPWORDS


@cache
def _opposites() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, b in data()["opposites"]:
        out.setdefault(_phrase(a), set()).add(_phrase(b))
        out.setdefault(_phrase(b), set()).add(_phrase(a))
    return out


def flips_meaning(word: str, candidate: str) -> bool:
    """True when correcting ``word`` to ``candidate`` would change its meaning to the opposite: a listed pair
    (enabled/disabled), or a negation prefix added or removed (inactive -> active, unlocked -> locked)."""
    if candidate in _opposites().get(word, ()):
        return True
    for prefix in data()["negation_prefixes"]:
        for neg, plain in ((word, candidate), (candidate, word)):
            if neg.startswith(prefix) and not plain.startswith(prefix) and len(neg) > len(prefix) + 2:
                rest = neg[len(prefix) :]
                if rest == plain or (len(plain) >= 4 and _near(rest, plain)):
                    return True
    # A word one edit from the opposite of the candidate: "inactve" is close to "inactive", the opposite of "active".
    return any(_near(word, opposite) for opposite in _opposites().get(candidate, ()) if " " not in opposite)


def _near(a: str, b: str) -> bool:
    from kb.search.text import edit_distance

    return edit_distance(a, b, cap=1) <= 1


@cache
def _cjk_members() -> tuple[str, ...]:
    """Group members written in Chinese, Japanese or Korean, longest first (their words are not space-separated)."""
    return tuple(sorted((m for m in groups() if CJK.search(m)), key=len, reverse=True))


def split_cjk(query_words: list[str]) -> list[str]:
    """A run of Chinese, Japanese or Korean text holds several words without a space between them: the known ones
    it contains (パスワードが無効です -> パスワード, 無効) take its place, in the order they stand."""
    out = []
    for word in query_words:
        if not CJK.search(word):
            out.append(word)
            continue
        found, taken = [], [False] * len(word)
        for member in _cjk_members():
            start = word.find(member)
            while start != -1:
                if not any(taken[start : start + len(member)]):
                    found.append((start, member))
                    for i in range(start, start + len(member)):
                        taken[i] = True
                start = word.find(member, start + 1)
        if found:
            out.extend(member for _, member in sorted(found))
        elif len(word) >= 3:
            out.append(word)  # a run the glossary knows nothing of still matches the same run in a stored message
        # else one or two characters the glossary does not know (您 "you", 此 "this"): no evidence, dropped
    return out


def slots(query_words: list[str], limit: int = 12, everyday=frozenset(), english=False) -> list[tuple[str, ...]]:
    """The query's words (folded, stopwords included) as slots: a tuple per word or synonym phrase, what was typed
    first, then its synonyms (in English and, through ``translations``, other languages; ``english``: a query
    written in English gets its English synonyms only). Stopwords outside a phrase are dropped, as are the
    ``everyday`` words of another language the glossary does not translate (language.everyday_words), and a slot
    already seen."""
    query_words = split_cjk(query_words)
    table = _english_table() if english else groups()
    out: list[tuple[str, ...]] = []
    i, n = 0, len(query_words)
    while i < n and len(out) < limit:
        matched = None
        for size in range(min(MAX_PHRASE, n - i), 1, -1):
            phrase = " ".join(query_words[i : i + size])
            if phrase in table:
                matched = (size, table[phrase])
                break
        if matched:
            size, slot = matched
            i += size
        else:
            word = query_words[i]
            i += 1
            if word in STOPWORDS or (word in everyday and word not in table) or len(word) > 40:
                continue
            slot = table.get(word)
            if slot is None:
                form = inflected(word)
                slot = (word, *table[form]) if form else (word,)
        if slot[0] not in {s[0] for s in out}:
            out.append(slot)
    return out


_EXCEPTION_ID = re.compile(r"[Ee]?(\d{6})")  # Cisco's documents write some with an E: E030103
_SUB_ERROR = re.compile(r"[A-Z]{2}\d{4}")  # a sub-error ID that comes with an exception: AS0001
_REASON_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]{5,79}")


@dataclass(frozen=True)
class OtherService:
    service: str  # which service, as far as it is known
    known: str  # how it is known
    confidence: str  # high, medium or low


@dataclass(frozen=True)
class CodeShape:
    """A token shaped like a code, and which kind: ``exception-id`` (six digits, an E before them allowed),
    ``reason-code`` (CamelCase or lowerCamel), ``sub-error`` (AS0001) or ``other-service`` (wapi.login_failed)."""

    token: str  # as written
    code: str  # as the knowledge base writes such a code: E030103 -> 030103
    kind: str
    service: OtherService | None = None


@cache
def _other_services() -> tuple[tuple[re.Pattern, OtherService], ...]:
    return tuple(
        (re.compile(s["pattern"]), OtherService(s["service"], s["known"], s["confidence"]))
        for s in data()["other_services"]
    )


def code_shape(token: str) -> CodeShape | None:
    """What kind of code ``token`` is shaped like, or None for an ordinary word."""
    token = token.strip(".,;:!?()[]{}\"'`")
    m = _EXCEPTION_ID.fullmatch(token)
    if m:
        return CodeShape(token, m.group(1), "exception-id")
    if _SUB_ERROR.fullmatch(token):
        return CodeShape(token, token, "sub-error")
    if _REASON_CODE.fullmatch(token) and re.search(r"[a-z][A-Z]", token):
        return CodeShape(token, token, "reason-code")
    for pattern, service in _other_services():
        if pattern.fullmatch(token):
            return CodeShape(token, token, "other-service", service)
    return None


def code_shaped(token: str) -> bool:
    """A 6-digit XML exception ID (``030099``, ``E030103``), a CamelCase or lowerCamel URL API code (``InvalidSiteID``,
    ``exceededSiteHostLimit``), a sub-error (``AS0001``) or a dotted code of another Cisco service."""
    return code_shape(token) is not None


_UNTOUCHABLE = re.compile(r"://|[<>=?&/\\]|\.php|\.(?:com|net|org|xml|json)\b", re.IGNORECASE)


def untouchable(token: str) -> bool:
    """A pasted URL, XML, path, parameter or code token: typo correction leaves every word in it alone."""
    if _UNTOUCHABLE.search(token) or code_shaped(token):
        return True
    core = token.strip(".,;:!?()[]{}\"'`")
    if re.search(r"[A-Za-z]", core) and re.search(r"\d", core):  # digits mixed in: an ID, a version, a key
        return True
    return bool(re.search(r"[a-z][A-Z]", core))


def untouchable_words(text: str) -> set[str]:
    """The words (as ``words()`` folds them) of every untouchable token of ``text``."""
    found: set[str] = set()
    for token in text.split():
        if untouchable(token):
            found.update(words(token))
    return found
