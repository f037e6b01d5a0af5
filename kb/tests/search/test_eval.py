"""Search quality on real WebEx texts (kb/evaluation.py, kb/tests/data/eval_corpus.json; `make eval` prints more).

The corpus is validated, the scorer is checked on a tiny fake corpus, and the shipped knowledge base must put the
expected entry first for at least 95% of the corpus.
"""

import pytest

from kb.evaluation import KINDS, evaluate, load_corpus, missing_codes, score_item, validate_corpus
from kb.search import SearchResponse

MIN_TOP1 = 0.95
MIN_ITEMS = 60


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


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


def test_scorer_counts_hits_and_misses():
    report = evaluate(FAKE, search=FAKE_ANSWERS.__getitem__)
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
    assert report.summary() == "top-1 0.25 (2/8), top-3 0.38 (3/8)"
    lines = report.miss_lines()
    assert len(lines) == 6
    assert "expected A (in top 3)" in lines[0]
    assert "got nothing" in lines[3]
    assert "detected status='FAIL', not 'SUCCESS'" in lines[4]
    assert "nothing detected" in lines[5]
    assert report.to_json()["by_kind"] == {
        "log-line": {"n": 5, "top1": 1, "top3": 2},
        "success": {"n": 3, "top1": 1, "top3": 1},
    }


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
