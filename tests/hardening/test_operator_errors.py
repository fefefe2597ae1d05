"""Operator and user mistakes through the real command (``python -m tutor ...`` in a subprocess, settings from the
environment, every file in a temporary folder): each gets one line that says what to do, a non-zero exit and no
traceback; with ``--json``, one JSON object ``{"status": "error", "message": ...}`` on stdout."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT, SLUG

DAMAGED = "is damaged"
REBUILD = "Run: tutor ingest --rebuild"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One unit indexed with the fake embedder (seconds), copied by each test that damages it."""
    base = tmp_path_factory.mktemp("built")
    shutil.copytree(CORPUS / SLUG, base / "corpus" / SLUG)
    done = tutor(["ingest"], base, index=base / "index")
    assert done.returncode == 0, done.stderr
    return base


def tutor(args: list, base: Path, index: Path | None = None, stdout=None, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    environ.update(TUTOR_CORPUS_DIR=str(base / "corpus"), TUTOR_INDEX_DIR=str(index or base / "index"),
                   TUTOR_EMBED_MODEL="fake", TUTOR_DB=str(base / "data" / "tutor.sqlite3"), TUTOR_LOG_CHATS="0")
    environ.update({k: str(v) for k, v in env.items()})
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=stdout is None, stdout=stdout,
                          text=True, env=environ, cwd=ROOT, timeout=120)


def assert_one_line(done: subprocess.CompletedProcess, *expected: str) -> None:
    assert done.returncode not in (0, None), (done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def assert_json_error(done: subprocess.CompletedProcess, *expected: str) -> None:
    assert done.returncode not in (0, None) and "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    out = json.loads(lines[0])
    assert out["status"] == "error" and "\n" not in out["message"]
    for text in expected:
        assert text in out["message"], out["message"]


def damage(built: Path, tmp_path: Path, how: str) -> Path:
    index = tmp_path / "index"
    shutil.copytree(built / "index", index)
    manifest = index / "manifest.json"
    if how == "truncated":
        manifest.write_text(manifest.read_text()[:120])
    elif how == "unreadable":
        manifest.write_bytes(b"\xff\xfe\x00binary")
    elif how == "deleted generation":
        data = json.loads(manifest.read_text())
        shutil.rmtree(index / "generations" / data["generation"])
    return index


@pytest.mark.parametrize("how", ["truncated", "unreadable", "deleted generation"])
def test_a_damaged_index_says_rebuild(built, tmp_path, how):
    index = damage(built, tmp_path, how)
    assert_json_error(tutor(["ask", "--json", "What is the CAF?"], built, index=index), DAMAGED, REBUILD)
    if how != "deleted generation":
        assert_one_line(tutor(["status"], built, index=index), DAMAGED, REBUILD, str(index))
        assert_json_error(tutor(["status", "--json"], built, index=index), DAMAGED, REBUILD)
        return
    # status reads only the manifest, so a missing generation shows when answering; and the advice works
    assert_one_line(tutor(["ask", "What is the CAF?"], built, index=index), DAMAGED, REBUILD, str(index))
    assert tutor(["ingest", "--rebuild"], built, index=index).returncode == 0
    assert tutor(["status"], built, index=index).returncode == 0


@pytest.mark.parametrize("variable, value, expected", [
    ("TUTOR_TOP_K", "100000", "TUTOR_TOP_K must be between 1 and 100"),
    ("TUTOR_PORT", "99999", "TUTOR_PORT must be between 1 and 65535"),
    ("TUTOR_CHROMA_PORT", "0", "TUTOR_CHROMA_PORT must be between 1 and 65535"),
    ("TUTOR_CONCURRENCY", "0", "TUTOR_CONCURRENCY must be 1 or more"),
    ("TUTOR_MAX_QUEUE", "0", "TUTOR_MAX_QUEUE must be 1 or more"),
    ("TUTOR_MAX_QUEUE", "-1", "TUTOR_MAX_QUEUE must be 1 or more"),
    ("TUTOR_MAX_QUESTION_CHARS", "-5", "TUTOR_MAX_QUESTION_CHARS must be 1 or more"),
    ("TUTOR_LLM_TIMEOUT", "0", "TUTOR_LLM_TIMEOUT must be"),
    ("TUTOR_LOG_DAYS", "0", "TUTOR_LOG_DAYS must be 1 or more"),
    ("TUTOR_TOP_K", "five", "TUTOR_TOP_K='five' is not a whole number"),
    ("TUTOR_RERANKER", "/no/such/cross-encoder", "TUTOR_RERANKER"),
    ("TUTOR_LOCAL_MODEL", "/no/such/model.gguf", "TUTOR_LOCAL_MODEL"),
])
def test_a_bad_setting_names_its_variable(built, variable, value, expected):
    assert_one_line(tutor(["ask", "What is the CAF?"], built, **{variable: value}), expected, f"Set {variable}")
    assert_json_error(tutor(["ask", "--json", "What is the CAF?"], built, **{variable: value}), expected)


def test_an_index_path_that_is_a_file(built, tmp_path):
    file = tmp_path / "index"
    file.write_text("not a folder")
    for command in (["ask", "What is the CAF?"], ["ingest"], ["status"]):
        assert_one_line(tutor(command, built, index=file), "TUTOR_INDEX_DIR", "which is a file")


def test_an_index_folder_that_cannot_be_written(built, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert_one_line(tutor(["ingest"], built, index=blocked / "index"), "Cannot write to", "TUTOR_INDEX_DIR")
    index = damage(built, tmp_path, "none")
    if not read_only(index):
        pytest.skip("cannot make a folder read-only here (chattr +i needs root on ext4; chmod does not stop root)")
    try:
        assert_one_line(tutor(["ingest", "--rebuild"], built, index=index), "Cannot write to", str(index))
    finally:
        subprocess.run(["chattr", "-i", str(index)], capture_output=True)
        index.chmod(0o755)


def read_only(folder: Path) -> bool:
    """Make ``folder`` refuse new files, even to root where possible; whether that worked."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    else:
        folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except OSError:
        return True
    (folder / "probe").unlink()
    return False


def test_serving_on_a_taken_port_names_tutor_port(built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = tutor(["serve"], built, TUTOR_PORT=port)
    assert_one_line(done, f"127.0.0.1:{port}", "Set TUTOR_PORT to a free port")
    assert "GRADIO_SERVER_PORT" not in done.stderr


def test_serving_beyond_loopback_needs_a_review_password(built):
    assert_one_line(tutor(["serve"], built, TUTOR_HOST="0.0.0.0"), "TUTOR_REVIEW_PASSWORD", "TUTOR_HOST=0.0.0.0")


def test_ask_json_with_an_empty_question_prints_json(built):
    assert_json_error(tutor(["ask", "--json", ""], built), "Please type a question")
    assert_json_error(tutor(["ask", "--json"], built), "required: question")  # a usage mistake too


def test_a_reader_that_stops_early_gets_no_traceback(built, tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    environ.update(TUTOR_INDEX_DIR=str(built / "index"), TUTOR_EMBED_MODEL="fake", TUTOR_LOG_CHATS="0")
    reader = subprocess.Popen([sys.executable, "-m", "tutor", "ask", "--json", "What is the CAF?"], cwd=ROOT,
                              env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reader.stdout.close()  # like `| head` exiting before the answer is written
    stderr = reader.stderr.read()
    assert reader.wait(120) == 141 and "Traceback" not in stderr and len(stderr.strip().splitlines()) <= 1
