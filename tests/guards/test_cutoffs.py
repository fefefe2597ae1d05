"""Threshold choice with the development units' study questions holding it up (issue 26)."""

import numpy as np
import pytest

from tutor.guards.cutoffs import study_questions, thresholds


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("notes", [0.0, 0.02, 0.1])
def test_no_unit_gets_more_notes_than_allowed_nor_any_emergency_message(seed, notes):
    rng = np.random.default_rng(seed)
    labels = list(rng.choice(["none", "concern", "disclosure"], size=300))
    scores = np.where(np.array(labels) == "none", rng.beta(2, 5, 300), rng.beta(5, 2, 300))
    units = [rng.beta(1, 6, n) for n in (47, 54, 55)]
    cut = thresholds(scores, labels, 1.0, 0.01, units, notes)
    for unit in units:
        assert np.mean(unit >= cut["concern"]) <= notes
        assert not np.any(unit >= cut["disclosure"])
    assert cut["disclosure"] >= cut["concern"]
    free = thresholds(scores, labels, 1.0, 0.01)
    assert cut["concern"] >= free["concern"] and cut["disclosure"] >= free["disclosure"]  # it only ever raises them


def test_without_a_limit_the_study_questions_change_nothing():
    rng = np.random.default_rng(0)
    labels = list(rng.choice(["none", "disclosure"], size=100))
    scores = rng.random(100)
    assert thresholds(scores, labels, study=[rng.random(30)]) == thresholds(scores, labels)


def test_the_study_questions_come_from_the_development_units_only():
    dev, gate = study_questions("dev"), study_questions("gate")
    assert dev and all(dev.values())
    assert not {q for qs in dev.values() for q in qs} & {q for qs in gate.values() for q in qs}
