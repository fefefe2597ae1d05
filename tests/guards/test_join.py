"""A classifier joined from artefacts over different encoders (tutor.guards.join): each part reads its own
encoder's vectors, the score is the weighted mean, and an artefact whose part names vectors it was not trained on
is refused. The embedder is a stand-in here (speed); the shipped artefact's rebuild runs the real encoders
(test_safeguarding.py)."""

import json

import numpy as np
import pytest

from tutor.errors import ConfigError
from tutor.guards import safeguarding
from tutor.guards.join import joined_parts
from tutor.guards.safeguarding import EMBEDDING, Classifier, Part, load_classifier, vectors_of


def fake_embed(texts, encoder=""):
    """A different fixed direction per encoder, so a part reading the wrong one scores differently."""
    axis = {"": 0, "other": 1}[encoder]
    out = np.zeros((len(texts), 2))
    out[:, axis] = [len(t) for t in texts]
    return out


def part(axis: int, encoder=None, weight=1.0) -> Part:
    coef = np.zeros((2, 2))
    coef[0, axis] = 1.0  # the disclosure class grows with the text's length along this part's own axis
    return Part(((EMBEDDING, 1.0),), coef, np.zeros(2), ("disclosure", "none"), encoder=encoder, weight=weight)


def test_each_part_reads_its_own_encoder_and_the_mean_is_weighted(monkeypatch):
    monkeypatch.setattr(safeguarding, "embed", fake_embed)
    joined = Classifier((part(0), part(1, "other", weight=3.0)), 0.2, 0.9)
    features = joined.features(["ab", "abcd"])
    assert set(features) == {EMBEDDING, vectors_of("other")}
    sigmoid = 1 / (1 + np.exp(-np.array([2.0, 4.0])))
    np.testing.assert_allclose(joined.scores(features), sigmoid)  # both parts see their own axis: the same score
    wrong = Classifier((part(0), part(1, None, weight=3.0)), 0.2, 0.9)  # the second part on the first's vectors
    np.testing.assert_allclose(wrong.scores(wrong.features(["ab", "abcd"])), (sigmoid + 3 * 0.5) / 4)


def test_a_part_trained_on_other_vectors_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(safeguarding, "encoder_label", lambda encoder="": f"vectors of {encoder or 'bundled'}")
    raw = {"parts": [{"blocks": [["embedding", 1.0]], "coef": [[1.0, 0.0], [0.0, 0.0]], "intercept": [0.0, 0.0],
                      "classes": ["disclosure", "none"]}], "thresholds": {"concern": 0.2, "disclosure": 0.9},
           "embedding_model": "vectors of bundled"}
    raw["parts"].append({**raw["parts"][0], "encoder": "other", "embedding_model": "vectors of other"})
    path = tmp_path / "joined.json"
    path.write_text(json.dumps(raw))
    assert load_classifier(path).own_encoders() == ["other"]
    raw["parts"][1]["embedding_model"] = "vectors of an older other"
    path.write_text(json.dumps(raw))
    with pytest.raises(ConfigError, match="older other"):
        load_classifier(path)


def test_members_share_their_weight_among_their_parts():
    a = {"encoder": "", "parts": [{"C": 1}, {"C": 2}]}
    b = {"encoder": "other", "embedding_model": "vectors of other", "parts": [{"C": 3}]}
    parts = joined_parts([a, b], [1.0, 2.0])
    assert [p["weight"] for p in parts] == [0.5, 0.5, 2.0]
    assert "encoder" not in parts[0] and parts[2]["encoder"] == "other"


def test_a_part_with_its_own_encoder_that_reads_tfidf_still_needs_the_shared_tfidf():
    tfidf_part = Part((("tfidf", 1.0),), np.zeros((2, 2)), np.zeros(2), ("disclosure", "none"), encoder="other")
    joined = Classifier((part(0), tfidf_part), 0.2, 0.9)
    assert joined.needs("tfidf") and joined.needs(EMBEDDING) and joined.own_encoders() == []
