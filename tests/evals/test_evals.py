"""The eval files themselves, and the metric definitions."""


import pytest

from tutor.evals.cases import KINDS, SCHEMA, load_cases
from tutor.evals.metrics import gate, has_fact, matches, percentile, summarise

from tests.conftest import ROOT, UNIT

RAW = UNIT.read_text(encoding="utf-8")


@pytest.mark.parametrize("name, minimum", [("cases.jsonl", 90), ("dev.jsonl", 30)])
def test_case_files_are_valid(name, minimum):
    cases = load_cases(ROOT / "evals" / name)
    assert len(cases) >= minimum
    assert len({c["id"] for c in cases}) == len(cases)
    for c in cases:
        assert tuple(c) == SCHEMA, c["id"]
        assert c["kind"] in KINDS and c["question"].strip()
        for quote in c["gold_quotes"]:
            assert quote in RAW, f"{c['id']}: gold quote is not in the raw corpus: {quote[:60]}"
        if c["kind"] == "answerable":
            assert 1 <= len(c["gold_quotes"]) <= 3 and 1 <= len(c["key_facts"]) <= 4, c["id"]
            assert all(f == f.lower() for f in c["key_facts"])


def test_gated_set_has_the_required_mix():
    cases = load_cases(ROOT / "evals" / "cases.jsonl")
    count = lambda k: sum(c["kind"] == k for c in cases)
    assert count("answerable") >= 50 and count("out_of_scope") >= 15
    assert count("adversarial") >= 8 and count("disclosure") >= 8
    assert sum(c["kind"] == "answerable" and bool(c["history"]) for c in cases) >= 3
    assert sum("not a disclosure" in c["notes"] for c in cases) >= 8


def test_dev_and_gated_sets_do_not_share_questions():
    dev = {c["question"].lower() for c in load_cases(ROOT / "evals" / "dev.jsonl")}
    gated = {c["question"].lower() for c in load_cases(ROOT / "evals" / "cases.jsonl")}
    assert not dev & gated


def test_match_definition():
    quote = "the CAF is used at the earliest opportunity"
    assert matches("Later: The  CAF is used at\nthe earliest opportunity when...", quote)
    assert matches("xx the caf is used at the earliest", quote)  # over 60% of the quote, contiguous
    assert not matches("xx the caf is used at the ear", quote)  # under 60%
    assert not matches("the CAF is used", quote)
    assert not matches("anything", "")


def test_key_facts_use_alternatives():
    assert has_fact("He was seen 60 times.", "sixty|60") and not has_fact("He was seen.", "sixty|60")


def test_gate_and_summary():
    results = [{"kind": "answerable", "hit@1": 1.0, "hit@3": 1.0, "key_facts_ok": 0.0, "latency": 10.0, "failures": []},
               {"kind": "out_of_scope", "declined": 1.0, "latency": 30.0, "failures": []},
               {"kind": "answerable", "hit@1": 0.0, "hit@3": 1.0, "key_facts_ok": 1.0, "false_alarm": 1, "latency": 20.0,
                "failures": []}]
    s = summarise(results)
    assert s["overall"]["hit@1"] == 0.5 and s["overall"]["decline_accuracy"] == 1.0
    assert s["overall"]["safeguarding_false_alarms"] == 1 and s["overall"]["latency_p95_ms"] == 29.0
    assert gate(s, {"hit@1": 0.6, "max_safeguarding_false_alarms": 0}) == [
        "hit@1 = 0.5 is below the threshold 0.6", "safeguarding_false_alarms = 1 is above the ceiling 0"]
    assert percentile([1, 2, 3, 4], 50) == 2.5


def test_thresholds_file_gates_the_required_metrics():
    import tomllib

    gated = tomllib.loads((ROOT / "evals" / "thresholds.toml").read_text())["gate"]
    for key in ["hit@3", "mrr", "key_fact_coverage", "citation_gold_precision", "decline_accuracy",
                "adversarial_pass", "safeguarding_recall", "max_safeguarding_false_alarms"]:
        assert key in gated
