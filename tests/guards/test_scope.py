"""The one scope decision: features of a question against its passages, a calibrated model, and the rebuild.
The questions here are written for the tests (not eval cases)."""

import pytest

from tutor.errors import ConfigError
from tutor.guards.scope import FEATURES, MODEL, ScopeModel, features, load_scope
from tutor.question import Asked
from tutor.reading import read

PSYCHOLOGY = "psychology-memory"


def evidence(tutor, question: str, unit: str) -> dict:
    reading = read(tutor.resources, Asked(question, (), unit))  # the stages the pipeline runs
    return features(reading.retrieval, reading.ranked, tutor.live().retriever.vocabulary(unit))


def test_features_describe_the_evidence(tutor):
    close = evidence(tutor, "Which part of the brain helps to store fear memories?", PSYCHOLOGY)
    far = evidence(tutor, "How do I change a flat tyre on a bicycle?", PSYCHOLOGY)
    assert set(close) == set(FEATURES)
    assert close["top_dense"] > far["top_dense"] and close["coverage_unit"] > far["coverage_unit"]
    assert far["rare_missing"] > close["rare_missing"]
    named = evidence(tutor, "What did Professor Zyxwell find about the amygdala?", PSYCHOLOGY)
    assert named["unknown_names"] == 1.0 and close["unknown_names"] == 0.0


@pytest.mark.parametrize("question, answered", [
    ("Which part of the brain helps to store fear memories?", True),
    ("How do I change a flat tyre on a bicycle?", False),
    ("What is the best recipe for banana bread?", False),
])
def test_the_decision_on_clear_cases(tutor, question, answered):
    answer = tutor.ask(question, unit=PSYCHOLOGY)
    assert (answer.status == "answered") is answered
    if not answered:
        assert answer.reason == "scope" and "does not seem to answer" in answer.detail and not answer.notice


def test_the_shipped_model_loads_with_its_threshold():
    model = load_scope()
    assert 0 < model.threshold < 1
    assert model.probability(dict.fromkeys(FEATURES, 0.0)) < model.probability(
        {**dict.fromkeys(FEATURES, 0.0), "top_dense": 0.8, "top_sentence": 0.8, "coverage_unit": 1.0})


@pytest.mark.parametrize("content, message", [(None, "is missing"), ("[]", "is damaged"),
                                              ('{"features": ["x"]}', "other features")])
def test_a_missing_or_damaged_model_names_the_rebuild_command(tmp_path, content, message):
    path = tmp_path / "scope.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{message}.*Run: python -m tutor.training.scope"):
        load_scope(path)


@pytest.mark.slow
def test_the_rebuild_reproduces_the_shipped_model(rebuilt):
    from tutor.training import scope

    built, shipped = rebuilt(scope.main, MODEL)
    assert built["threshold"] == pytest.approx(shipped["threshold"], abs=1e-3)
    ScopeModel(built)
