"""Shared fixtures. Real components (the bundled embedding model, the bundled GGUF, a real Chroma server, a real
browser) are used for real; the fake embedder and fake backend are for fast, exact unit tests."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.fakes import FakeBackend
from tutor.bench.util import chroma_server as start_chroma
from tutor.plugins import backends

backends.register("fake")(FakeBackend)  # the fake LLM is the tests' own, registered exactly like a real backend
from tutor.bench.util import free_port, stop, wait_for_port  # noqa: F401 - used by the app and model tests

# A plugin module for tests/test_plugins.py: importing it registers a backend, so collection must not import it.
collect_ignore = ["plugin_example.py"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"  # the course: five units, one folder each
SLUG = "unit-25-safeguarding"  # the first unit, which most tests ask about
UNIT = CORPUS / SLUG / "unit-25-safeguarding-outcome-1.4.txt"
UNIT_SOURCE = f"corpus/{SLUG}/{UNIT.name}"  # how citations and the manifest name it


def raw_of(source: str) -> str:
    """The raw text of a corpus file named as citations name it ("corpus/<unit>/<file>")."""
    return (ROOT / source).read_text(encoding="utf-8")

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TUTOR_LOG_CHATS", "0")
for _var in [v for v in os.environ if v.startswith("TUTOR_")]:  # tests choose their own settings
    if _var not in ("TUTOR_LOG_CHATS", "TUTOR_REFRESH_SCREENSHOT"):
        del os.environ[_var]


@pytest.fixture
def make_settings(tmp_path):
    """Settings over a private corpus (a copy of the first unit, or of the whole course) and index folder."""
    from tutor.settings import Settings

    def make(embed_model: str = "fake", corpus: Path | None = None, course: bool = False, **kw) -> Settings:
        if corpus is None:
            corpus = tmp_path / "corpus"
            if not corpus.exists():
                if course:
                    shutil.copytree(CORPUS, corpus)
                else:
                    shutil.copytree(CORPUS / SLUG, corpus / SLUG)
        return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", embed_model=embed_model,
                        db=tmp_path / "tutor.sqlite3", log_chats=False, **kw)

    return make


@pytest.fixture
def rebuilt(unit_settings, tmp_path, monkeypatch):
    """Run a ``train_*`` module's ``main`` on the test index into a temporary file: (built, shipped) models.

    The rebuild must use the same examples and reach the same held-out decisions as the shipped model. Its
    coefficients may differ in the last digits: embeddings differ slightly from one CPU to another (SIMD paths),
    and a fit carries that noise (0.0006 relative measured on CI), so they are compared within 0.2%.
    """
    def run(main, shipped: Path) -> tuple[dict, dict]:
        monkeypatch.setenv("TUTOR_INDEX_DIR", str(unit_settings.index_dir))
        monkeypatch.setenv("TUTOR_CORPUS_DIR", str(unit_settings.corpus_dir))
        out = tmp_path / shipped.name
        assert main(["--out", str(out)]) == 0
        built, ship = json.loads(out.read_text(encoding="utf-8")), json.loads(shipped.read_text(encoding="utf-8"))
        assert built["data"] == ship["data"] and built["held_out"] == ship["held_out"]
        assert built["coef"] == pytest.approx(ship["coef"], rel=2e-3, abs=1e-4)
        return built, ship
    return run


@pytest.fixture(scope="session")
def unit_settings(tmp_path_factory):
    """The real unit indexed with the bundled all-MiniLM-L6-v2 into a session-wide temporary index."""
    from tutor.ingest.sync import sync
    from tutor.settings import Settings

    base = tmp_path_factory.mktemp("unit")
    settings = Settings(corpus_dir=CORPUS, index_dir=base / "index", embed_model="bundled",
                        db=base / "tutor.sqlite3", log_chats=False)
    sync(settings, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def tutor(unit_settings):
    from tutor.pipeline import Tutor

    return Tutor(unit_settings)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` on a free loopback port."""
    with start_chroma(tmp_path_factory.mktemp("chroma-server")) as address:
        yield address


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A real Postgres server (initdb + pg_ctl, as .ci/run installs it) on a free loopback port, for the session."""
    import tempfile

    from tutor.deploy.postgres import binary, local_postgres

    if not (binary("initdb") and binary("pg_ctl")):
        pytest.skip("Postgres is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin); "
                    ".ci/run installs it: apt-get install postgresql")
    with local_postgres(Path(tempfile.mkdtemp(prefix="tutor-pg-")) / "pg") as server:
        yield server


@pytest.fixture
def database(request, tmp_path):
    """Where a storage test's tables live, once per engine: a SQLite file, then a fresh Postgres database."""
    if request.param == "sqlite":
        return str(tmp_path / "tutor.sqlite3")
    import uuid

    from sqlalchemy import create_engine, text

    server = request.getfixturevalue("postgres")
    name = f"t{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/postgres",
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return server.url.rsplit("/", 1)[0] + "/" + name


def pytest_generate_tests(metafunc):
    if "database" in metafunc.fixturenames:  # every storage test runs on both engines
        metafunc.parametrize("database", ["sqlite", "postgres"], indirect=True)
