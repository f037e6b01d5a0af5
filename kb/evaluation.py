"""Search quality on real WebEx texts: the evaluation corpus and its scorer (``make eval``, kb/tests/search/test_eval).

The corpus (kb/tests/data/eval_corpus.json) holds texts other people produced, found in public repositories and
issue threads: captured XML API responses, client libraries' messages for a code, log lines, back URLs, request
URLs and forms, success answers. Each item names where it came from and what the search should answer:

* ``expected``: the code of the entry that should come first; or ``null`` when the right answer is not one entry
  (a success answer, a code the knowledge base does not cover), with ``expect_note`` saying why and, usually,
  ``expect_detected``: fields of ``response.detected`` to check (e.g. ``{"status": "SUCCESS"}``).

``evaluate()`` runs every text through ``kb.search.search(text, use_cache=False)`` and scores it:

* an item with ``expected`` is a top-1 hit when the first result's code equals it (case-sensitively) and a top-3 hit
  when it is among the first three;
* an item without ``expected`` is a hit (top-1 and top-3 alike) when every ``expect_detected`` field matches
  ``response.detected`` (``None`` detected matches only an empty check) and, with ``expect_results: 0``, when
  nothing was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_PATH = Path(__file__).resolve().parent / "tests" / "data" / "eval_corpus.json"
KINDS = ("xml-response", "client-message", "log-line", "back-url", "request", "form", "success")
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

    def to_json(self):
        return {
            "index": self.index,
            "text": preview(self.item.get("text", "")),
            "kind": self.item.get("kind"),
            "source": self.item.get("source"),
            "expected": self.item.get("expected"),
            "expect_detected": self.item.get("expect_detected"),
            "got": self.got,
            "detected": self.detected,
            "top1": self.top1,
            "top3": self.top3,
            "problem": self.problem,
        }


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

    def by_kind(self):
        kinds = {}
        for o in self.outcomes:
            row = kinds.setdefault(o.item.get("kind", "?"), {"n": 0, "top1": 0, "top3": 0})
            row["n"] += 1
            row["top1"] += o.top1
            row["top3"] += o.top3
        return dict(sorted(kinds.items()))

    def summary(self):
        return (
            f"top-1 {self.top1:.2f} ({self.top1_hits}/{self.total}), top-3 {self.top3:.2f} "
            f"({self.top3_hits}/{self.total})"
        )

    def miss_lines(self):
        lines = []
        for o in self.misses:
            want = o.item.get("expected")
            if want is None:
                want = f"detected {o.item.get('expect_detected') or {}}"
            where = " (in top 3)" if o.top3 else ""
            lines.append(
                f"#{o.index} [{o.item.get('kind')}] {preview(o.item.get('text', ''), 70)!r}: expected {want}{where}, "
                f"got {o.got or 'nothing'}" + (f"; {o.problem}" if o.problem else "")
            )
        return lines

    def to_json(self):
        return {
            "total": self.total,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "top1_hits": self.top1_hits,
            "top3_hits": self.top3_hits,
            "by_kind": self.by_kind(),
            "misses": [o.to_json() for o in self.misses],
        }


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
        "entry": detected.entry.code if detected.entry else None,
    }


def score_item(index: int, item: dict, response) -> Outcome:
    """Scores one item against the search response for its text (see the module docstring)."""
    got = [r.entry.code for r in response.results[:3]]
    detected = _detected_json(response)
    expected = item.get("expected")
    if expected is not None:
        return Outcome(index, item, got, bool(got) and got[0] == expected, expected in got, detected)
    problems = []
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
    return Outcome(index, item, got, ok, ok, detected, "; ".join(problems))


def evaluate(items: list[dict] | None = None, search=None) -> Report:
    """Searches every corpus item's text (uncached) and scores it; ``search`` defaults to ``kb.search.search``."""
    if items is None:
        items = load_corpus()
    if search is None:
        from kb.search import search as kb_search

        def search(text):
            return kb_search(text, use_cache=False)

    report = Report()
    for index, item in enumerate(items):
        report.outcomes.append(score_item(index, item, search(item["text"])))
    return report


def validate_corpus(items: list[dict], known_codes: set[str] | None = None) -> list[str]:
    """Problems with the corpus file itself: missing fields, unknown kinds and, given ``known_codes``, expected codes
    the knowledge base does not have (yet)."""
    problems = []
    for index, item in enumerate(items):
        label = f"#{index} ({preview(item.get('text', ''), 40)!r})"
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            problems.append(f"{label}: no text")
        if not isinstance(item.get("source"), str) or not item["source"].strip():
            problems.append(f"{label}: no source")
        if item.get("kind") not in KINDS:
            problems.append(f"{label}: kind {item.get('kind')!r} is not one of {', '.join(KINDS)}")
        if "expected" not in item:
            problems.append(f"{label}: no 'expected' (a code, or null)")
        elif item["expected"] is None:
            if not item.get("expect_note"):
                problems.append(f"{label}: expected is null but there is no expect_note")
        elif not isinstance(item["expected"], str):
            problems.append(f"{label}: expected must be a code or null")
        elif known_codes is not None and item["expected"] not in known_codes:
            problems.append(f"{label}: expected code {item['expected']!r} is not in the knowledge base")
    return problems


def missing_codes(items: list[dict], known_codes: set[str]) -> list[str]:
    """Expected codes that the knowledge base does not have, sorted."""
    return sorted({i["expected"] for i in items if i.get("expected") and i["expected"] not in known_codes})
