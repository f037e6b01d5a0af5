"""Search quality on real WebEx texts: the evaluation corpora and their scorer (``make eval``, search/test_eval).

Two corpora of texts other people produced, each item naming where it came from and what search should answer:

* the **dev** set (kb/tests/data/eval_corpus.json): what search is tuned on;
* the **held-out** set (kb/tests/data/eval_heldout.json): texts from *other* sources, collected apart and only ever
  scored. Its misses are not printed unless asked (``bench/eval.py --show-heldout-misses``): read them only after
  tuning is over, and answer a miss by adding texts from new sources, never by tuning to it.

What an item says it should answer:

* ``expected``: the code of the entry that should come first (``acceptable``: other codes that are right too);
  ``expected_code_known: false`` when that code has no entry yet (such items are reported apart: "not in the KB");
* ``expected: null`` and a ``category``: ``no-error`` (a request or a success answer: right when the answer is not
  confident), ``other-service`` (a code of another Cisco service: right when the answer is not confident) or
  ``unclear``; or, in the dev set, ``expect_detected``/``expect_results`` checks of the response.

``evaluate()`` searches every text (uncached) and scores it: top-1 and top-3, whether the answer was confident, the
calibration (how often a confident first result is right; how many wrong first results were marked not confident),
by kind and by language; texts that hold a stored message word for word are reported apart (they measure lookup, not
search).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "kb" / "tests" / "data"
CORPUS_PATH = DATA / "eval_corpus.json"
HELDOUT_PATH = DATA / "eval_heldout.json"
KINDS = ("xml-response", "client-message", "log-line", "back-url", "request", "form", "success")
HELDOUT_KINDS = (*KINDS, "person", "rest-error", "other")
CATEGORIES = ("no-error", "other-service", "unclear")
PREVIEW_CHARS = 90


def load_corpus(path: Path | str = CORPUS_PATH) -> list[dict]:
    """The corpus items: the file is a JSON object with ``items`` (a list), or a bare list."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data["items"] if isinstance(data, dict) else data


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass
class Outcome:
    """One corpus item, searched."""

    index: int
    item: dict
    got: list[str]  # codes of the first three results
    top1: bool
    top3: bool
    detected: dict | None = None
    problem: str = ""  # for null-expected items: which check failed
    confident: bool = False
    language: str = "und"
    verbatim: bool = False  # the text holds a stored message word for word

    @property
    def has_entry(self) -> bool:
        """The item's expected code has an entry (so top-1 can be right)."""
        return bool(self.item.get("expected")) and self.item.get("expected_code_known", True) is not False

    @property
    def category(self) -> str:
        if self.item.get("expected"):
            return "known-code" if self.has_entry else "not-in-kb"
        return self.item.get("category") or ("no-error" if self.item.get("kind") in ("request", "success") else "check")

    def to_json(self):
        return {
            "index": self.index,
            "text": preview(self.item.get("text", "")),
            "kind": self.item.get("kind"),
            "language": self.item.get("language", "en"),
            "source": self.item.get("source"),
            "expected": self.item.get("expected"),
            "category": self.category,
            "got": self.got,
            "confident": self.confident,
            "top1": self.top1,
            "top3": self.top3,
            "problem": self.problem,
        }


def _ratio(hits, total):
    return round(hits / total, 4) if total else None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def total(self):
        return len(self.outcomes)

    @property
    def top1_hits(self):
        return sum(1 for o in self.outcomes if o.top1)

    @property
    def top3_hits(self):
        return sum(1 for o in self.outcomes if o.top3)

    @property
    def top1(self):
        return self.top1_hits / self.total if self.total else 0.0

    @property
    def top3(self):
        return self.top3_hits / self.total if self.total else 0.0

    @property
    def misses(self):
        """The items that were not a top-1 hit."""
        return [o for o in self.outcomes if not o.top1]

    def known_code_top1(self):
        """Top-1 over the items whose expected code has an entry: (hits, total)."""
        rows = [o for o in self.outcomes if o.has_entry]
        return sum(o.top1 for o in rows), len(rows)

    def calibration(self):
        """How well ``confident`` says when the first result is right.

        * ``confident_right``: among confident answers to items with an expected code, the share whose first result
          is right (target ≥ 0.97);
        * ``wrong_not_confident``: among items whose first result is wrong (an expected code missed, or any result
          for an item that expects no entry), the share marked not confident (target ≥ 0.90);
        * ``confident_no_error`` and ``confident_other_service``: confident answers to requests and success answers,
          and to other services' codes (target 0)."""
        coded = [o for o in self.outcomes if o.item.get("expected")]
        confident = [o for o in coded if o.confident]
        wrong = [o for o in coded if not o.top1 and o.got] + [
            o for o in self.outcomes if o.category in ("no-error", "other-service") and o.got
        ]
        return {
            "confident": len(confident),
            "confident_right": _ratio(sum(o.top1 for o in confident), len(confident)),
            "wrong_first": len(wrong),
            "wrong_not_confident": _ratio(sum(not o.confident for o in wrong), len(wrong)),
            "confident_no_error": sum(1 for o in self.outcomes if o.category == "no-error" and o.confident),
            "confident_other_service": sum(1 for o in self.outcomes if o.category == "other-service" and o.confident),
        }

    def _grouped(self, key):
        groups = {}
        for o in self.outcomes:
            row = groups.setdefault(key(o), {"n": 0, "top1": 0, "top3": 0, "confident": 0})
            row["n"] += 1
            row["top1"] += o.top1
            row["top3"] += o.top3
            row["confident"] += o.confident
        return dict(sorted(groups.items()))

    def by_kind(self):
        return self._grouped(lambda o: o.item.get("kind", "?"))

    def by_language(self):
        return self._grouped(lambda o: o.item.get("language", "en"))

    def by_category(self):
        return self._grouped(lambda o: o.category)

    def by_language_known(self):
        """Top-1 per language over the items whose code has an entry (target ≥ 0.70 where n ≥ 5)."""
        rows = [o for o in self.outcomes if o.has_entry]
        return Report(rows).by_language()

    def verbatim_split(self):
        """Top-1 of the texts that hold a stored message word for word, and of the others."""
        rows = {
            "verbatim": [o for o in self.outcomes if o.verbatim],
            "other": [o for o in self.outcomes if not o.verbatim],
        }
        return {name: {"n": len(r), "top1": sum(o.top1 for o in r)} for name, r in rows.items()}

    def summary(self):
        hits, n = self.known_code_top1()
        cal = self.calibration()
        return (
            f"top-1 {self.top1:.2f} ({self.top1_hits}/{self.total}), "
            f"top-3 {self.top3:.2f} ({self.top3_hits}/{self.total})"
            f"; codes with an entry: top-1 {hits}/{n}; confident right {cal['confident_right']} of {cal['confident']}"
            f", wrong marked not confident {cal['wrong_not_confident']} of {cal['wrong_first']}"
            f", confident on no-error {cal['confident_no_error']}, on other services {cal['confident_other_service']}"
        )

    def miss_lines(self):
        lines = []
        for o in self.misses:
            want = o.item.get("expected")
            if want is None:
                want = o.item.get("category") or f"detected {o.item.get('expect_detected') or {}}"
            where = " (in top 3)" if o.top3 else ""
            sure = ", confident" if o.confident else ""
            lines.append(
                f"#{o.index} [{o.item.get('kind')}/{o.item.get('language', 'en')}] "
                f"{preview(o.item.get('text', ''), 70)!r}: expected {want}{where}, got {o.got or 'nothing'}{sure}"
                + (f"; {o.problem}" if o.problem else "")
            )
        return lines

    def to_json(self, *, misses=True):
        hits, n = self.known_code_top1()
        data = {
            "total": self.total,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "top1_hits": self.top1_hits,
            "top3_hits": self.top3_hits,
            "known_code_top1": _ratio(hits, n),
            "known_code_n": n,
            "calibration": self.calibration(),
            "by_kind": self.by_kind(),
            "by_language": self.by_language(),
            "by_language_known_code": self.by_language_known(),
            "by_category": self.by_category(),
            "verbatim": self.verbatim_split(),
        }
        if misses:
            data["misses"] = [o.to_json() for o in self.misses]
        return data


def _detected_json(response):
    detected = response.detected
    if detected is None:
        return None
    return {
        "command": detected.command,
        "status": detected.status,
        "code": detected.code,
        "api": detected.api,
        "form": detected.form,
        "is_request": detected.is_request,
        "kind": detected.kind,
        "entry": detected.entry.code if detected.entry else None,
    }


def score_item(index: int, item: dict, response, *, verbatim=False) -> Outcome:
    """Scores one item against the search response for its text (see the module docstring)."""
    got = [r.entry.code for r in response.results[:3]]
    detected = _detected_json(response)
    extra = {"confident": response.confident, "language": response.language, "verbatim": verbatim}
    expected = item.get("expected")
    if expected is not None:
        right = {expected, *(item.get("acceptable") or ())}
        return Outcome(index, item, got, bool(got) and got[0] in right, bool(right & set(got)), detected, **extra)
    problems = []
    if item.get("category") in ("no-error", "other-service") and response.confident:
        problems.append("confident, but there is no error of these APIs in it")
    checks = item.get("expect_detected") or {}
    if checks:
        if detected is None:
            problems.append("nothing detected")
        else:
            problems += [
                f"detected {name}={detected.get(name)!r}, not {want!r}"
                for name, want in checks.items()
                if detected.get(name) != want
            ]
    if "expect_results" in item and len(response.results) != item["expect_results"]:
        problems.append(f"{len(response.results)} results, not {item['expect_results']}")
    ok = not problems
    return Outcome(index, item, got, ok, ok, detected, "; ".join(problems), **extra)


def holds_a_message(text: str, messages) -> bool:
    """``text`` holds one of ``messages`` word for word (case and punctuation aside)."""
    from kb.search.text import words

    flat = " " + " ".join(words(text)) + " "
    return any(len(m) >= 2 and f" {' '.join(m)} " in flat for m in messages)


def evaluate(items: list[dict] | None = None, search=None, messages=None) -> Report:
    """Searches every corpus item's text (uncached) and scores it; ``search`` defaults to ``kb.search.search``;
    ``messages`` (word lists of the stored messages) defaults to the database's."""
    if items is None:
        items = load_corpus()
    if search is None:
        from kb.search import search as kb_search

        def search(text):
            return kb_search(text, use_cache=False)

    if messages is None:
        from kb.models import Message
        from kb.search.text import words

        messages = [words(t) for t in Message.objects.values_list("text", flat=True)]
    report = Report()
    for index, item in enumerate(items):
        verbatim = holds_a_message(item["text"], messages)
        report.outcomes.append(score_item(index, item, search(item["text"]), verbatim=verbatim))
    return report


def leave_one_out(languages=None, search=None) -> Report:
    """Each stored message searched with itself taken out of the knowledge base (in a transaction rolled back after
    each): does search still find its entry from the entry's other texts, its other messages and the glossary? This
    measures what the held-out set measures (a wording search has not stored) on texts of our own, so it can be
    tuned on. ``languages``: only messages in these languages (``{"en"}``, or everything else with ``{"-en"}``)."""
    from django.db import transaction

    from kb.models import Entry, Message

    if search is None:
        from kb.search import search as kb_search

        def search(text):
            return kb_search(text, use_cache=False)

    rows = list(Message.objects.select_related("entry").order_by("entry__code", "language", "pk"))
    if languages == {"-en"}:
        rows = [m for m in rows if m.language != "en"]
    elif languages:
        rows = [m for m in rows if m.language in languages]
    same_text: dict[str, set[str]] = {}
    for message in Message.objects.select_related("entry"):
        same_text.setdefault(message.text.casefold(), set()).add(message.entry.code)
    counterparts: dict[str, set[str]] = {}
    for entry in Entry.objects.prefetch_related("counterparts"):
        counterparts[entry.code] = {other.code for other in entry.counterparts.all()}
    report = Report()
    for index, message in enumerate(rows):
        code = message.entry.code
        item = {
            "text": message.text,
            "expected": message.entry.code,
            # The same text stored for another entry, or the same failure in the other API, is right too.
            "acceptable": sorted((same_text[message.text.casefold()] | counterparts.get(code, set())) - {code}),
            "kind": message.kind,
            "language": message.language,
            "source": message.source,
        }
        with transaction.atomic():
            Message.objects.filter(pk=message.pk).delete()
            outcome = score_item(index, item, search(message.text))
            transaction.set_rollback(True)
        report.outcomes.append(outcome)
    return report


def validate_corpus(items: list[dict], known_codes: set[str] | None = None, *, heldout=False) -> list[str]:
    """Problems with a corpus file itself: missing fields, unknown kinds and, given ``known_codes``, expected codes
    the knowledge base does not have (held-out items may expect one, saying so with ``expected_code_known: false``)."""
    problems = []
    kinds = HELDOUT_KINDS if heldout else KINDS
    for index, item in enumerate(items):
        label = f"#{index} ({preview(item.get('text', ''), 40)!r})"
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            problems.append(f"{label}: no text")
        if not isinstance(item.get("source"), str) or not item["source"].strip():
            problems.append(f"{label}: no source")
        if item.get("kind") not in kinds:
            problems.append(f"{label}: kind {item.get('kind')!r} is not one of {', '.join(kinds)}")
        if "expected" not in item:
            problems.append(f"{label}: no 'expected' (a code, or null)")
        elif item["expected"] is None:
            if not item.get("expect_note") and item.get("category") not in CATEGORIES:
                problems.append(f"{label}: expected is null but there is no category or expect_note")
        elif not isinstance(item["expected"], str):
            problems.append(f"{label}: expected must be a code or null")
        elif known_codes is not None and item["expected"] not in known_codes and item.get("expected_code_known", True):
            problems.append(f"{label}: expected code {item['expected']!r} is not in the knowledge base")
    return problems


def missing_codes(items: list[dict], known_codes: set[str]) -> list[str]:
    """Expected codes that the knowledge base does not have, sorted."""
    return sorted({i["expected"] for i in items if i.get("expected") and i["expected"] not in known_codes})
