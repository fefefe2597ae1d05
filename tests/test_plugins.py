"""Backends and embedders register through one hook: built-in modules and ``tutor.plugins`` entry points."""

from importlib.metadata import EntryPoint

import pytest

from tutor import plugins
from tutor.errors import ConfigError


@pytest.fixture
def fresh_plugins(monkeypatch):
    """Plugins load again, from an entry point list the test chooses."""
    def install(*entry_points):
        monkeypatch.setattr(plugins, "_loaded", False)
        monkeypatch.setattr(plugins, "entry_points", lambda group: [ep for ep in entry_points if ep.group == group])
        monkeypatch.setattr(plugins.backends, "factories", dict(plugins.backends.factories))
    return install


def test_an_entry_point_adds_a_backend_the_tutor_can_use(fresh_plugins, tutor):
    fresh_plugins(EntryPoint("echo", "tests.plugin_example", plugins.GROUP))
    assert "echo-first" in plugins.backends.names()
    answer = tutor.ask("What is a serious case review?", backend="echo-first")
    assert answer.status == "answered" and answer.backend == "echo-first" and answer.citations


def test_a_broken_plugin_is_reported_and_the_rest_still_load(fresh_plugins, caplog):
    fresh_plugins(EntryPoint("broken", "tests.no_such_module", plugins.GROUP))
    assert {"extractive", "local", "hosted", "fake"} <= set(plugins.backends.names())
    assert "plugin broken (tests.no_such_module) failed to load" in caplog.text


def test_unknown_names_list_the_known_ones():
    with pytest.raises(ConfigError, match=r"Unknown embedder 'nope' \(TUTOR_EMBED_MODEL\). Known embedders: bundled, fake, onnx, onnx-int8"):
        plugins.embedders.get("nope")
