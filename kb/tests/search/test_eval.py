"""Search quality on real WebEx texts (bench/evaluation.py; `make eval` prints more): the dev corpus
(kb/tests/data/eval_corpus.json, tuned on) and the held-out corpus (kb/tests/data/eval_heldout.json, other sources,
only scored). Both are validated, the scorer is checked on a tiny fake corpus, and the shipped knowledge base must
meet the targets: dev top-1 ≥ 0.95; held-out top-1 ≥ 0.85 over texts whose code has an entry, ≥ 0.70 in each language
with at least 5 such texts; no confident answer to a text with no error or another service's code; confident first
results right ≥ 97% of the time; ≥ 90% of wrong first results marked not confident.
"""

import pytest

from bench.evaluation import (
    HELDOUT_PATH,
    KINDS,
    evaluate,
    leave_one_out,
    load_corpus,
    missing_codes,
    score_item,
    validate_corpus,
)
from kb.search import SearchResponse

MIN_TOP1 = 0.95
MIN_ITEMS = 60


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def heldout():
    return load_corpus(HELDOUT_PATH)


def test_corpus_is_large_enough_and_every_item_has_a_source(corpus):
    assert len(corpus) >= MIN_ITEMS
    assert all(isinstance(i.get("source"), str) and i["source"].strip() for i in corpus)


def test_corpus_items_are_well_formed(corpus):
    assert validate_corpus(corpus) == []
    assert {i["kind"] for i in corpus} <= set(KINDS)
    assert len({i["text"] for i in corpus}) == len(corpus), "the same text twice"
    # Most items name an entry; success answers and texts for codes outside the KB are a minority.
    assert sum(1 for i in corpus if i["expected"] is None) < len(corpus) / 4


def test_expected_codes_are_in_the_knowledge_base(kb, corpus):
    missing = missing_codes(corpus, set(kb.values_list("code", flat=True)))
    assert not missing, f"expected codes the knowledge base does not have: {', '.join(missing)}"


def test_top1_accuracy_on_the_corpus(kb, corpus):
    report = evaluate(corpus)
    assert report.total == len(corpus)
    assert report.top1 >= MIN_TOP1, report.summary() + "\n" + "\n".join(report.miss_lines())


# ------------------------------------------------------------------------------------------------ held out


def test_the_heldout_set_is_what_the_issue_asks_for(kb, heldout, corpus):
    assert validate_corpus(heldout, set(kb.values_list("code", flat=True)), heldout=True) == []
    assert len(heldout) >= 80

    def repository(item):  # owner/name of a repository, or the address of a page
        first = item["source"].split()[0]
        return first if "/" in first else item["source"]

    sources = {repository(i) for i in heldout}
    assert len(sources) >= 15
    assert not sources & {repository(i) for i in corpus}, "the held-out set uses sources of its own"
    assert sum(i.get("language", "en") != "en" for i in heldout) >= len(heldout) / 4
    assert sum(i.get("category") == "no-error" for i in heldout) >= 10
    assert sum(i.get("category") == "other-service" for i in heldout) >= 5
    assert sum(bool(i.get("phrased_by_person")) for i in heldout) >= 10


@pytest.mark.xfail(
    strict=True,
    reason=(
        "not met yet (2026-12-08 02:10, 128 held-out texts, 71 entries, SQLite and PostgreSQL alike): codes with an "
        "entry top-1 25/65, confident and right 17/18, one confident answer to another service's code; most held-out "
        "texts whose code has an entry are client messages in other languages and wordings no stored message "
        "resembles. strict: this fails once the targets are met, to drop the mark."
    ),
)
def test_heldout_targets(kb, heldout):
    """Scored, never tuned to: a failure here is answered by texts from new sources, not by tuning."""
    report = evaluate(heldout)
    hits, n = report.known_code_top1()
    assert hits / n >= 0.85, report.summary()
    for language, row in report.by_language_known().items():
        if row["n"] >= 5:
            assert row["top1"] / row["n"] >= 0.70, (language, row)
    calibration = report.calibration()
    assert calibration["confident_no_error"] == 0 and calibration["confident_other_service"] == 0, calibration
    assert calibration["confident_right"] >= 0.97, calibration
    assert calibration["wrong_not_confident"] >= 0.90, calibration


# ------------------------------------------------------------------------------------------------ the scorer


class _Entry:
    def __init__(self, code):
        self.code = code


class _Result:
    def __init__(self, code):
        self.entry = _Entry(code)


class _Detected:
    def __init__(self, **fields):
        self.command = fields.get("command")
        self.status = fields.get("status")
        self.code = fields.get("code")
        self.api = fields.get("api")
        self.form = fields.get("form", "back-url")
        self.is_request = fields.get("is_request", False)
        self.kind = "request" if self.is_request else {"SUCCESS": "success"}.get(self.status, "failure")
        self.entry = None


def _response(codes, detected=None):
    return SearchResponse(query="q", results=[_Result(c) for c in codes], detected=detected)


FAKE = [
    {"text": "first", "source": "s", "kind": "log-line", "expected": "A"},  # top-1 hit
    {"text": "second", "source": "s", "kind": "log-line", "expected": "A"},  # second: top-3 only
    {"text": "third", "source": "s", "kind": "log-line", "expected": "a"},  # case differs: a miss
    {"text": "fourth", "source": "s", "kind": "log-line", "expected": "A"},  # fourth: a miss
    {"text": "fifth", "source": "s", "kind": "log-line", "expected": "A"},  # nothing found: a miss
    {"text": "ok", "source": "s", "kind": "success", "expected": None, "expect_detected": {"status": "SUCCESS"}},
    {"text": "bad", "source": "s", "kind": "success", "expected": None, "expect_detected": {"status": "SUCCESS"}},
    {"text": "none", "source": "s", "kind": "success", "expected": None, "expect_detected": {"status": "SUCCESS"}},
]
FAKE_ANSWERS = {
    "first": _response(["A", "B", "C"]),
    "second": _response(["B", "A", "C"]),
    "third": _response(["A", "B"]),
    "fourth": _response(["B", "C", "D", "A"]),
    "fifth": _response([]),
    "ok": _response([], _Detected(status="SUCCESS")),
    "bad": _response(["X"], _Detected(status="FAIL")),
    "none": _response([]),
}


def test_leave_one_out_searches_each_message_without_it_and_puts_it_back(kb):
    from kb.models import Message

    before = sorted(Message.objects.filter(language="ru").values_list("pk", "text"))
    seen = []

    def search(text):
        seen.append((text, Message.objects.filter(text=text, language="ru").exists()))
        return SearchResponse(query=text)

    report = leave_one_out(languages={"ru"}, search=search)
    assert report.total == len(before) >= 5
    assert sorted(text for text, _ in seen) == sorted(text for _, text in before)
    assert not any(present for _, present in seen), "each message is searched with itself taken out"
    assert sorted(Message.objects.filter(language="ru").values_list("pk", "text")) == before  # and put back
    assert all(o.item["expected"] and o.item["language"] == "ru" for o in report.outcomes)


def test_scorer_counts_hits_and_misses():
    report = evaluate(FAKE, search=FAKE_ANSWERS.__getitem__, messages=[])
    assert [(o.top1, o.top3) for o in report.outcomes] == [
        (True, True),
        (False, True),
        (False, False),
        (False, False),
        (False, False),
        (True, True),
        (False, False),
        (False, False),
    ]
    assert (report.total, report.top1_hits, report.top3_hits) == (8, 2, 3)
    assert report.top1 == pytest.approx(2 / 8)
    assert report.top3 == pytest.approx(3 / 8)
    assert [o.index for o in report.misses] == [1, 2, 3, 4, 6, 7]
    assert report.outcomes[3].got == ["B", "C", "D"]  # the first three only
    assert report.summary().startswith("top-1 0.25 (2/8), top-3 0.38 (3/8); codes with an entry: top-1 1/5")
    lines = report.miss_lines()
    assert len(lines) == 6
    assert "expected A (in top 3)" in lines[0]
    assert "got nothing" in lines[3]
    assert "detected status='FAIL', not 'SUCCESS'" in lines[4]
    assert "nothing detected" in lines[5]
    assert report.to_json()["by_kind"] == {
        "log-line": {"n": 5, "top1": 1, "top3": 2, "confident": 0},
        "success": {"n": 3, "top1": 1, "top3": 1, "confident": 0},
    }


def test_calibration_counts_sure_answers_and_wrong_ones():
    items = [
        {"text": "a", "source": "s", "kind": "log-line", "expected": "A"},
        {"text": "b", "source": "s", "kind": "log-line", "expected": "A"},
        {"text": "c", "source": "s", "kind": "request", "expected": None, "category": "no-error"},
    ]
    sure, unsure = _response(["A"]), _response(["B"])
    sure.confident, unsure.confident = True, False
    listed = _response(["X"])
    listed.confident = True
    report = evaluate(items, search={"a": sure, "b": unsure, "c": listed}.__getitem__, messages=[])
    calibration = report.calibration()
    assert calibration["confident_right"] == 1.0
    assert calibration["wrong_first"] == 2 and calibration["wrong_not_confident"] == 0.5
    assert calibration["confident_no_error"] == 1
    assert "confident" in report.outcomes[2].problem


def test_scorer_checks_the_number_of_results_when_asked():
    item = {"text": "x", "source": "s", "kind": "log-line", "expected": None, "expect_note": "n", "expect_results": 0}
    assert score_item(0, item, _response([])).top1
    outcome = score_item(0, item, _response(["A"]))
    assert not outcome.top1
    assert outcome.problem == "1 results, not 0"


def test_validate_corpus_names_each_problem():
    items = [
        {"text": "ok", "source": "s", "kind": "log-line", "expected": "A"},
        {"text": "", "source": "s", "kind": "log-line", "expected": "A"},
        {"text": "t", "source": " ", "kind": "log-line", "expected": "A"},
        {"text": "t", "source": "s", "kind": "tweet", "expected": "A"},
        {"text": "t", "source": "s", "kind": "success"},
        {"text": "t", "source": "s", "kind": "success", "expected": None},
        {"text": "t", "source": "s", "kind": "log-line", "expected": "Z"},
    ]
    problems = validate_corpus(items, known_codes={"A"})
    assert len(problems) == 6
    assert "#1" in problems[0] and "no text" in problems[0]
    assert "#2" in problems[1] and "no source" in problems[1]
    assert "#3" in problems[2] and "'tweet'" in problems[2]
    assert "#4" in problems[3] and "no 'expected'" in problems[3]
    assert "#5" in problems[4] and "expect_note" in problems[4]
    assert "#6" in problems[5] and "'Z' is not in the knowledge base" in problems[5]
    assert missing_codes(items, {"A"}) == ["Z"]
