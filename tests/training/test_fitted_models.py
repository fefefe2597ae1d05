"""Models that read the index encoder's similarities (the sentence ranking, the scope decision) are fitted to one
encoder: the tutor reads the one fitted to TUTOR_EMBED_MODEL where it was trained, and a training command writes
there by default."""

import json

from tutor.artefacts import fitted_or_default, fitted_to
from tutor.resources import Resources
from tutor.training.common import train_command


def test_the_default_encoders_read_the_default_file(tmp_path):
    default = tmp_path / "scope.json"
    for name in ("onnx", "bundled"):
        assert fitted_to(default, name) == default == fitted_or_default(default, name)
    assert fitted_to(default, "tuned:learner").name == "scope.tuned-learner.json"


def test_a_model_fitted_to_the_encoder_is_read_where_there_is_one(tmp_path, make_settings):
    default = tmp_path / "sentence_ranker.json"
    resources = Resources(make_settings("onnx-learner"))
    assert resources.fitted(default) == default  # none trained for it: the default
    own = tmp_path / "sentence_ranker.onnx-learner.json"
    own.write_text("{}")
    assert resources.fitted(default) == own
    assert Resources(make_settings("onnx")).fitted(default) == default


def test_a_training_command_writes_the_model_for_the_index_encoder(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_EMBED_MODEL", "onnx-learner")
    default = tmp_path / "scope.json"
    assert train_command("prog", "Doc.", default, lambda resources: ({"fitted": resources.settings.embed_model}, "ok"),
                         []) == 0
    assert not default.exists()
    assert json.loads((tmp_path / "scope.onnx-learner.json").read_text()) == {"fitted": "onnx-learner"}
