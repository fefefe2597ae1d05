"""The tutor served on a free loopback port (two units indexed with the fake embedder: the LTI tests are about
launches, sign-in and grades, not answers), the test platform on another, registered with the real
``tutor lti add-platform`` command. Everything is written under the tests' temporary folders."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402

from tests.conftest import CORPUS, free_port, wait_for_port  # noqa: E402
from tests.lti.platform import Platform  # noqa: E402

UNITS = ("psychology-memory", "economics-demand-supply")


@pytest.fixture(scope="module")
def lti_settings(tmp_path_factory):
    from tutor.ingest.sync import sync
    from tutor.settings import Settings

    base = tmp_path_factory.mktemp("lti")
    for unit in UNITS:
        shutil.copytree(CORPUS / unit, base / "corpus" / unit)
    settings = Settings(corpus_dir=base / "corpus", index_dir=base / "index", embed_model="fake",
                        db=base / "data" / "tutor.sqlite3", log_chats=False, port=free_port(),
                        review_password="not-for-teachers")
    sync(settings, show_progress=False)
    return settings


@pytest.fixture(scope="module")
def platform(lti_settings, monkeypatch_module):
    from tutor.cli import main

    vle = Platform(port=free_port(), tool=f"http://127.0.0.1:{lti_settings.port}")
    server, thread = vle.serve()
    monkeypatch_module.setenv("TUTOR_DB", str(lti_settings.db))
    assert main(["lti", "add-platform", *vle.add_platform_args(), "--name", "Test VLE"]) == 0
    yield vle
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def tool_app(lti_settings, platform):
    """The real app (Gradio, uvicorn, the LTI routes); grade retries wait 0.2 s instead of 2 s."""
    from tutor.app.build import build_app, launch

    blocks = build_app(lti_settings)
    blocks.handlers.lti.grades.first_wait = 0.2
    served = launch(lti_settings, blocks, block=False)
    wait_for_port(lti_settings.port, 60)
    yield served
    served.close()
