"""Settings from TUTOR_* variables: every range and path rule fails with one line naming the variable and what to
set it to; good values pass."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tutor.errors import ConfigError
from tutor.settings import RANGES, Settings, check_writable


def refused(env: dict) -> str:
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    message = str(err.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("variable, value, expected", [
    ("TUTOR_TOP_K", "0", "TUTOR_TOP_K must be between 1 and 100; it is 0. Set TUTOR_TOP_K to a number in that "
                         "range (default 5)."),
    ("TUTOR_TOP_K", "101", "between 1 and 100; it is 101"),
    ("TUTOR_PORT", "0", "TUTOR_PORT must be between 1 and 65535"),
    ("TUTOR_PORT", "65536", "TUTOR_PORT must be between 1 and 65535"),
    ("TUTOR_CHROMA_PORT", "70000", "TUTOR_CHROMA_PORT must be between 1 and 65535"),
    ("TUTOR_CONCURRENCY", "0", "TUTOR_CONCURRENCY must be 1 or more; it is 0. Set TUTOR_CONCURRENCY"),
    ("TUTOR_MAX_QUEUE", "-1", "TUTOR_MAX_QUEUE must be 1 or more"),
    ("TUTOR_MAX_QUESTION_CHARS", "0", "TUTOR_MAX_QUESTION_CHARS must be 1 or more"),
    ("TUTOR_LOCAL_PASSAGES", "0", "TUTOR_LOCAL_PASSAGES must be 1 or more"),
    ("TUTOR_QUIZ_MODEL_ITEMS", "-1", "TUTOR_QUIZ_MODEL_ITEMS must be 0 or more"),
    ("TUTOR_LOG_DAYS", "0", "TUTOR_LOG_DAYS must be 1 or more"),
    ("TUTOR_CHUNK_SIZE", "10", "TUTOR_CHUNK_SIZE must be 50 or more"),
    ("TUTOR_LLM_TIMEOUT", "0", "TUTOR_LLM_TIMEOUT must be a number of seconds greater than 0"),
    ("TUTOR_LLM_TIMEOUT", "nan", "TUTOR_LLM_TIMEOUT must be"),
    ("TUTOR_SUPPORT_THRESHOLD", "1.5", "TUTOR_SUPPORT_THRESHOLD must be between 0 and 1"),
    ("TUTOR_TOP_K", "lots", "TUTOR_TOP_K='lots' is not a whole number. Set TUTOR_TOP_K to a whole number (default 5)."),
    ("TUTOR_LOG_CHATS", "maybe", "TUTOR_LOG_CHATS='maybe' is not 1 or 0. Set TUTOR_LOG_CHATS to 1 or 0 (default 1)."),
])
def test_out_of_range_values_name_the_variable(variable, value, expected):
    assert expected in refused({variable: value})


def test_the_edges_of_each_range_are_allowed():
    for name, (low, high) in RANGES.items():
        for value in (low, high) if high is not None else (low, low + 10_000):
            assert getattr(Settings.from_env({"TUTOR_" + name.upper(): str(value)}), name) == value
    assert Settings.from_env({"TUTOR_LOG_DAYS": " 7 "}).log_days == 7  # stray spaces are forgiven
    assert Settings.from_env().log_days == 90


def test_cli_flags_are_checked_too():
    with pytest.raises(ConfigError, match="TUTOR_PORT must be between 1 and 65535"):
        Settings.from_env({}, port=99999)
    with pytest.raises(ConfigError, match="TUTOR_TOP_K"):
        Settings.from_env().replace(top_k=1000)


def test_paths_that_must_exist_are_checked(tmp_path):
    file, folder = tmp_path / "file.gguf", tmp_path / "folder"
    file.write_text("")
    folder.mkdir()
    assert "TUTOR_INDEX_DIR is" in refused({"TUTOR_INDEX_DIR": str(file)}) and "which is a file" in refused(
        {"TUTOR_INDEX_DIR": str(file)})
    assert "TUTOR_CORPUS_DIR" in refused({"TUTOR_CORPUS_DIR": str(file)})
    assert "Set TUTOR_DB to a file path" in refused({"TUTOR_DB": str(folder)})
    assert "Set TUTOR_LOCAL_MODEL to a GGUF file" in refused({"TUTOR_LOCAL_MODEL": str(folder)})
    assert Settings.from_env({"TUTOR_LOCAL_MODEL": str(file)}).local_model == str(file)
    assert "Set TUTOR_RERANKER" in refused({"TUTOR_RERANKER": str(tmp_path / "missing")})
    assert "nothing is downloaded" in refused({"TUTOR_RERANKER": "nobody/no-such-cross-encoder"})
    assert Settings.from_env({"TUTOR_RERANKER": str(folder)}).reranker == str(folder)
    missing = tmp_path / "not-yet"
    assert Settings.from_env({"TUTOR_INDEX_DIR": str(missing)}).index_dir == missing  # made later by ingest


def test_writable_folders_are_probed_for_real(tmp_path):
    check_writable(tmp_path / "new" / "index", "TUTOR_INDEX_DIR")  # a missing folder: its parent decides
    assert not (tmp_path / "new").exists()  # the probe leaves nothing behind
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match=r"Cannot write to .*a-file/index .* set TUTOR_INDEX_DIR"):
        check_writable(blocker / "index", "TUTOR_INDEX_DIR")
    frozen = tmp_path / "frozen"
    frozen.mkdir()
    if subprocess.run(["chattr", "+i", str(frozen)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(ConfigError, match="Operation not permitted"):
            check_writable(frozen, "TUTOR_INDEX_DIR")
    finally:
        subprocess.run(["chattr", "-i", str(frozen)], capture_output=True)
    assert list(Path(frozen).iterdir()) == []


def test_the_process_environment_is_read_by_pydantic_settings(monkeypatch):
    monkeypatch.setenv("TUTOR_TOP_K", "7")
    monkeypatch.setenv("TUTOR_LOG_CHATS", "0")
    settings = Settings.from_env(port=8123)  # a CLI flag on top of the environment
    assert (settings.top_k, settings.log_chats, settings.port) == (7, False, 8123)
    monkeypatch.setenv("TUTOR_TOP_K", "many")
    with pytest.raises(ConfigError, match="TUTOR_TOP_K='many' is not a whole number"):
        Settings.from_env()
