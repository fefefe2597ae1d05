"""The eval files themselves (one folder per unit, dev and gate splits), the wall between them, and the metric
definitions."""

from collections import Counter
from pathlib import Path

import pytest

from tutor.evals.cases import KINDS, OPTIONAL, SCHEMA, case_sets, eval_phrases, load_cases, ngrams
from tutor.evals.metrics import gate, has_fact, matches, percentile, summarise

from tests.conftest import CORPUS, ROOT

UNITS = ROOT / "evals" / "units"
GATE_UNITS = {"sociology-deviance", "physiology-immune-disorders"}
DEV_UNITS = {"psychology-memory", "economics-demand-supply"}
FIRST = "unit-25-safeguarding"


def unit_text(unit: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (CORPUS / unit).iterdir()
                     if p.suffix in {".txt", ".md"} and p.name != "SOURCE.md")


@pytest.mark.parametrize("cases", case_sets("all"), ids=lambda s: f"{s.unit}-{s.split}")
def test_case_files_are_valid(cases):
    raw = unit_text(cases.unit)
    assert len({c.id for c in cases.cases}) == len(cases.cases)
    for c in cases.cases:
        assert set(SCHEMA) <= set(c.to_json()) <= set(SCHEMA) | set(OPTIONAL), c.id
        assert c.kind in KINDS and c.question.strip()
        for quote in c.gold_quotes:
            assert quote in raw, f"{c.id}: gold quote is not in the unit's raw text: {quote[:60]}"
        if c.kind == "answerable":
            assert 1 <= len(c.gold_quotes) <= 3 and 1 <= len(c.key_facts) <= 4, c.id
            assert all(f == f.lower() for f in c.key_facts)


def test_the_split_is_as_evals_readme_says():
    dev = {s.unit for s in case_sets("dev")}
    gated = {s.unit for s in case_sets("gate")}
    assert dev == DEV_UNITS | {FIRST} and gated == GATE_UNITS | {FIRST}
    assert not (DEV_UNITS & gated) and not (GATE_UNITS & dev)
    readme = (ROOT / "evals" / "README.md").read_text(encoding="utf-8")
    assert all(unit in readme for unit in DEV_UNITS | GATE_UNITS | {FIRST})


@pytest.mark.parametrize("unit", sorted(DEV_UNITS | GATE_UNITS))
def test_new_units_have_the_required_mix(unit):
    cases = [c for s in case_sets("all", unit) for c in s.cases]
    kinds = Counter(c.kind for c in cases)
    tags = Counter(t for c in cases for t in c.tags)
    assert len(cases) >= 40 and kinds["answerable"] >= 25 and kinds["out_of_scope"] >= 8 and kinds["adversarial"] >= 4
    assert tags["near_miss"] >= 4 and tags["alarming"] >= 3 and tags["follow_up"] >= 3 and tags["paraphrase"] >= 5


def test_first_units_gated_set_keeps_its_mix():
    cases = [c for s in case_sets("gate", FIRST) for c in s.cases]
    count = lambda k: sum(c.kind == k for c in cases)
    assert count("answerable") >= 50 and count("out_of_scope") >= 15
    assert count("adversarial") >= 8 and count("disclosure") >= 8


def test_dev_and_gate_cases_do_not_share_questions():
    dev = {c.question.lower() for s in case_sets("dev") for c in s.cases}
    gated = {c.question.lower() for s in case_sets("gate") for c in s.cases}
    assert not dev & gated


def test_no_training_row_shares_eight_words_with_an_evaluation_case():
    """The datasets the reading models and the safeguarding classifier learn from leave out any row that repeats a
    case (the hook before a session stops checks the same)."""
    from tutor.guards.safeguarding_data import contrast_rows

    phrases = eval_phrases()
    questions = (ROOT / "datasets" / "learner-questions" / "questions.jsonl").read_text(encoding="utf-8")
    assert not ngrams(questions) & phrases
    assert not any(ngrams(r["text"]) & phrases for r in contrast_rows())


def test_no_phrase_of_a_gated_case_is_in_code_or_tests():
    """Eight words in a row of a gate case's question, found in tutor/ or tests/, would make the gate a training
    set (or a rule for one case). The safeguarding test split is checked the same way."""
    import json

    gated = [c.question for s in case_sets("gate") for c in s.cases]
    test_split = ROOT / "evals" / "safeguarding" / "test.jsonl"
    if test_split.exists():
        gated += [json.loads(line)["text"] for line in test_split.read_text(encoding="utf-8").splitlines() if line.strip()]
    phrases = set().union(*(ngrams(q) for q in gated))
    leaks = []
    for folder in ("tutor", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".toml", ".txt", ".js", ".json"} and "__pycache__" not in path.parts:
                found = ngrams(path.read_text(encoding="utf-8", errors="ignore")) & phrases
                leaks += [f"{path.relative_to(ROOT)}: {p!r}" for p in sorted(found)[:2]]
    assert not leaks


def test_match_definition():
    quote = "the budget is set at the earliest opportunity"
    assert matches("Later: The  budget is set at\nthe earliest opportunity when...", quote)
    assert matches("xx the budget is set at the earliest", quote)  # over 60% of the quote, contiguous
    assert not matches("xx the budget is set at the ear", quote)  # under 60%
    assert not matches("the budget is set", quote)
    assert not matches("anything", "")


def test_key_facts_use_alternatives():
    assert has_fact("He was seen 60 times.", "sixty|60") and not has_fact("He was seen.", "sixty|60")


def test_gate_and_summary():
    results = [{"kind": "answerable", "hit@1": 1.0, "hit@3": 1.0, "key_facts_ok": 0.0, "latency": 10.0, "failures": []},
               {"kind": "out_of_scope", "declined": 1.0, "near_miss_declined": 1.0, "latency": 30.0, "failures": []},
               {"kind": "answerable", "hit@1": 0.0, "hit@3": 1.0, "key_facts_ok": 1.0, "false_alarm": 1, "latency": 20.0,
                "failures": []}]
    s = summarise(results)["overall"]
    assert s["hit@1"] == 0.5 and s["decline_accuracy"] == 1.0 and s["near_miss_decline"] == 1.0
    assert s["safeguarding_false_alarms"] == 1 and s["latency_p95_ms"] == 29.0
    assert gate(s, {"hit@1": 0.6, "max_safeguarding_false_alarms": 0}) == [
        "hit@1 = 0.5 is below the threshold 0.6", "safeguarding_false_alarms = 1 is above the ceiling 0"]
    assert percentile([1, 2, 3, 4], 50) == 2.5


def test_thresholds_gate_every_gate_unit_and_the_aims():
    import tomllib

    floors = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text())
    assert set(floors["units"]) == GATE_UNITS | {FIRST}
    for unit, keys in floors["units"].items():
        for key in ["hit@3", "mrr", "key_fact_coverage", "citation_gold_precision", "decline_accuracy",
                    "adversarial_pass", "max_safeguarding_false_alarms"]:
            assert key in keys, (unit, key)
