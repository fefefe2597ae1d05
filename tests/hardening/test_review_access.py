"""The Review tab and the export over real HTTP, the way a hand-made client would try them: every event refuses
without authorisation whatever the page hides, the export is downloaded only once through the ticketed route,
wrong passwords are slowed down, and no private file is served."""

from __future__ import annotations

import httpx
import pytest

from tests.app.test_app import CAF_Q
from tests.hardening.conftest import PASSWORD
from tests.hardening.raw import call
from tutor.app.auth import LOCAL_ONLY, LOCKED, WRONG
from tutor.settings import PROJECT_ROOT

PROXY = {"X-Forwarded-For": "203.0.113.9"}


def error_of(done: dict) -> str:
    assert done["success"] is False, done
    return done["output"]["error"]


def logged(served) -> int:
    """Log one answer through the app's own handler; returns its id."""
    list(served.handlers.ask.ask(CAF_Q, [], None))
    return served.handlers.store.chats(limit=1)[0]["id"]


def test_every_review_event_refuses_a_session_that_has_not_unlocked(served_app):
    h = served_app.handlers.review
    logged(served_app)
    # The answer picker is empty in a session that never listed (Gradio itself refuses another value), so no id.
    alert_id = served_app.handlers.alerts.record("a disclosure written for this test", "", "s", "disclosure", 0.9)
    for handler, data in ((h.show, [None, None]), (h.form, [None, None]), (h.export, [None]),
                          (h.mark_seen, [None, True, None])):
        assert error_of(call(served_app.url, served_app.blocks, handler, data, session="stranger")) == LOCKED
    done = call(served_app.url, served_app.blocks, h.refresh, ["all", None], session="stranger")
    assert CAF_Q not in str(done["output"])  # the listing quietly shows nothing
    done = call(served_app.url, served_app.blocks, h.refresh_alerts, [True, None], session="stranger")
    assert "written for this test" not in str(done["output"]) and served_app.handlers.alerts.pending()[0].id == alert_id
    assert not served_app.handlers.downloads.path.exists()


def test_unlock_export_and_download_once(served_app):
    h, url = served_app.handlers.review, served_app.url
    logged(served_app)
    done = call(url, served_app.blocks, h.unlock, [PASSWORD, None], session="tutor")
    assert done["success"] and done["output"]["data"][3] is None  # the token stays on the server
    link, note = call(url, served_app.blocks, h.export, [None], session="tutor")["output"]["data"]
    assert "Wrote" in note and 'href="review/export/' in link
    href = link.split('href="', 1)[1].split('"', 1)[0]
    first = httpx.get(url + href)
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert "attachment" in first.headers["content-disposition"]
    assert first.text == served_app.handlers.downloads.path.read_text()
    again = httpx.get(url + href)
    assert again.status_code == 404 and "Export again" in again.text
    assert httpx.get(url + "review/export/guessed-ticket").status_code == 404


def test_no_private_file_is_served(served_app):
    db = served_app.handlers.store.path
    export = served_app.handlers.downloads.path
    private = [db, export, PROJECT_ROOT / "evals" / "thresholds.toml", PROJECT_ROOT / "pyproject.toml"]
    for path in private:
        for route in ("gradio_api/file=", "file="):
            response = httpx.get(served_app.url + route + str(path))
            assert response.status_code in (403, 404), (route, path, response.status_code)


def test_wrong_passwords_are_slowed_down(serve):
    served = serve(review_password=PASSWORD)  # its own server: the wait it imposes must not slow other tests
    h = served.handlers.review

    def unlock(password: str) -> str:
        return call(served.url, served.blocks, h.unlock, [password, None], session="guesser")["output"]["data"][2]

    assert [unlock(f"guess{i}") for i in range(3)] == [WRONG] * 3
    assert unlock(PASSWORD).startswith("Too many wrong passwords from this address. Wait")  # not even checked


def test_without_a_password_only_an_unproxied_local_request_may_review(serve):
    served = serve()
    h, chat_id = served.handlers.review, logged(served)
    done = call(served.url, served.blocks, h.show, [None, None], session="proxied", headers=PROXY)
    assert error_of(done) == LOCAL_ONLY
    call(served.url, served.blocks, h.refresh, ["all", None], session="local")  # fills this session's picker
    done = call(served.url, served.blocks, h.show, [chat_id, None], session="local")
    assert done["success"] and CAF_Q in done["output"]["data"][0]
    link = call(served.url, served.blocks, h.export, [None], session="local")["output"]["data"][0]
    href = link.split('href="', 1)[1].split('"', 1)[0]
    assert httpx.get(served.url + href, headers=PROXY).status_code == 404  # the route checks the client too


@pytest.mark.parametrize("header", ["X-Forwarded-For", "Forwarded", "X-Real-IP"])
def test_any_proxy_header_makes_a_request_not_local(serve, header):
    served = serve()
    done = call(served.url, served.blocks, served.handlers.review.form, [None, None], session="p", headers={header: "x"})
    assert error_of(done) == LOCAL_ONLY
