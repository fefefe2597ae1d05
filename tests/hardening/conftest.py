"""A real served app for the hardening tests: the shared Tutor, a temporary database, a free loopback port."""

from __future__ import annotations

import pytest

from tests.conftest import free_port, wait_for_port

PASSWORD = "tutor-review"


@pytest.fixture(scope="module")
def serve(unit_settings, tutor, tmp_path_factory):
    """Start apps with settings changes (``serve(review_password="x")``); all are closed after the module."""
    from tutor.app.build import build_app, launch

    running = []

    def start(**changes):
        base = tmp_path_factory.mktemp("served")
        settings = unit_settings.replace(port=free_port(), log_chats=True, db=base / "tutor.sqlite3", **changes)
        running.append(launch(settings, build_app(settings, tutor=tutor), block=False))
        wait_for_port(settings.port, 60)
        return running[-1]

    yield start
    for served in running:
        served.close()


@pytest.fixture(scope="module")
def served_app(serve):
    """Served with a review password, as anywhere but a single-user laptop should be."""
    return serve(review_password=PASSWORD)
