"""Shared fixtures. Real components (the bundled embedding model, the bundled GGUF, a real Chroma server, a real
browser) are used for real; the fake embedder and fake backend are for fast, exact unit tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
UNIT = CORPUS / "unit-25-safeguarding-outcome-1.4.txt"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TUTOR_LOG_CHATS", "0")
for _var in [v for v in os.environ if v.startswith("TUTOR_")]:  # tests choose their own settings
    if _var != "TUTOR_LOG_CHATS":
        del os.environ[_var]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def stop(proc: subprocess.Popen) -> None:
    """Terminate a server the tests started, killing it if it will not stop."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def make_settings(tmp_path):
    """Settings over a private corpus copy and index folder."""
    from tutor.settings import Settings

    def make(embed_model: str = "fake", corpus: Path | None = None, **kw) -> Settings:
        if corpus is None:
            corpus = tmp_path / "corpus"
            if not corpus.exists():
                shutil.copytree(CORPUS, corpus)
        return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embed_model=embed_model,
                        db=tmp_path / "tutor.sqlite3", log_chats=False, **kw)

    return make


@pytest.fixture(scope="session")
def unit_settings(tmp_path_factory):
    """The real unit indexed with the bundled all-MiniLM-L6-v2 into a session-wide temporary index."""
    from tutor.index import sync
    from tutor.settings import Settings

    base = tmp_path_factory.mktemp("unit")
    settings = Settings(corpus_dir=CORPUS, index_dir=base / "index", embed_model="bundled",
                        db=base / "tutor.sqlite3", log_chats=False)
    sync(settings, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def tutor(unit_settings):
    from tutor.answer import Tutor

    return Tutor(unit_settings)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port."""
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    exe = Path(sys.executable).parent / "chroma"
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False", CHROMA_TELEMETRY="False")
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        wait_for_port(port, 90, proc)
        yield ("127.0.0.1", port)
    finally:
        stop(proc)
        log.close()
