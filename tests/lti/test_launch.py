"""Launches over real HTTP between the real app and the test platform: who is signed in, into which unit, and every
bad launch refused with a page that says what to do, its reason logged, and the earlier session cleared."""

from __future__ import annotations

import logging
from html import unescape

import httpx
import pytest
from joserfc.jwk import RSAKey

from tests.lti.flow import form_of, launch
from tutor.lti.claims import learner_key
from tutor.lti.sessions import COOKIE


@pytest.fixture
def client(tool_app):
    with httpx.Client(timeout=30) as c:
        yield c


def signed_in(tool_app, client):
    return tool_app.handlers.lti.signed_in(client.cookies.get(COOKIE))


def test_a_launch_signs_the_learner_in_with_name_role_and_unit(tool_app, platform, client):
    reply = launch(client, platform, "ann", "psych")
    assert reply.status_code == 303 and reply.headers["location"] == "/"
    who = signed_in(tool_app, client)
    assert who.learner == learner_key(platform.url, "u-ann") and who.name == "Ann Learner"
    assert who.teacher is False and who.unit == "psychology-memory"  # named by the custom parameter
    assert "tutor-lti-state" not in "".join(client.cookies.keys())  # the login's state cookie is spent


def test_the_unit_comes_from_the_link_or_else_the_whole_course(tool_app, platform, client):
    launch(client, platform, "ann", "econ")
    assert signed_in(tool_app, client).unit == "economics-demand-supply"  # ?unit= in the resource link's URL
    launch(client, platform, "ann", "nothing")
    assert signed_in(tool_app, client).unit == ""  # a title that names no unit: the whole course


def test_an_unknown_unit_is_refused_naming_the_units(tool_app, platform, client):
    platform.spoil = {"claims": {"https://purl.imsglobal.org/spec/lti/claim/custom": {"unit": "astrology"}}}
    reply = launch(client, platform, "ann")
    assert reply.status_code == 404 and "astrology" in reply.text and "psychology-memory" in reply.text


def test_a_teacher_is_a_teacher_by_the_course_role_only(tool_app, platform, client):
    launch(client, platform, "tess")
    assert signed_in(tool_app, client).teacher is True
    # Bob is staff elsewhere in the college (an institution role), and his token carries made-up claims and the
    # form an extra field: none of it makes him this course's teacher.
    platform.spoil = {"claims": {"role": "Instructor", "https://purl.imsglobal.org/spec/lti/claim/custom":
                                 {"unit": "psychology-memory", "roles": "Instructor"}}}
    action, fields = form_of(client.get(platform.launch_url("bob")).text)
    login = client.post(action, data={**fields, "roles": "Instructor"})
    action, fields = form_of(client.get(login.headers["location"]).text)
    assert client.post(action, data={**fields, "role": "Instructor"}).status_code == 303
    who = signed_in(tool_app, client)
    assert who.name == "Bob Learner" and who.teacher is False


BAD = {
    "wrong signature": ({"key": RSAKey.generate_key(2048)}, 403, "signature is not your course platform's",
                        "bad signature"),
    "expired token": ({"exp": -120}, 400, "has expired", "token expired"),
    "unknown deployment": ({"deployment": "deployment-9"}, 403, "deployment-9", "unknown deployment"),
    "wrong audience": ({"claims": {"aud": "another-tool"}}, 403, "not registered", "no platform"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_launch_is_refused_logged_and_signs_nobody_in(tool_app, platform, client, caplog, case):
    spoil, status, says, logged = BAD[case]
    assert launch(client, platform, "ann").status_code == 303  # someone was signed in in this browser before
    platform.spoil = spoil
    with caplog.at_level(logging.WARNING, logger="tutor.lti"):
        reply = launch(client, platform, "bob")
    assert reply.status_code == status and 'id="lti-refused"' in reply.text and says in unescape(reply.text)
    assert "Traceback" not in reply.text
    assert any(logged in r.getMessage() for r in caplog.records if r.name.startswith("tutor.lti"))
    assert client.cookies.get(COOKIE) is None and signed_in(tool_app, client) is None  # Ann's session is gone too


def test_a_replayed_launch_is_refused(tool_app, platform, client, caplog):
    assert launch(client, platform, "ann").status_code == 303
    posted = dict(platform.last_post)
    # the same id_token and state again, with the state cookie the first login set, as an attacker who copied both
    cookie = {f"tutor-lti-state-{posted['state'][:43]}": posted["state"]}
    with caplog.at_level(logging.WARNING, logger="tutor.lti"):
        again = httpx.post(f"{platform.tool}/lti/launch", data=posted, cookies=cookie, timeout=30)
    assert again.status_code == 400 and "already been used" in again.text
    assert any("nonce replayed" in r.getMessage() for r in caplog.records)


def test_a_launch_that_did_not_start_in_this_browser_is_refused(tool_app, platform, client):
    launch(client, platform, "ann")
    stranger = httpx.post(f"{platform.tool}/lti/launch", data=platform.last_post, timeout=30)  # no state cookie
    assert stranger.status_code == 400 and "did not start in this browser" in stranger.text
    direct = httpx.get(f"{platform.tool}/lti/launch", timeout=30)
    assert direct.status_code == 405 and "course page" in direct.text


def test_an_unregistered_platform_cannot_start_a_login(tool_app, platform):
    reply = httpx.post(f"{platform.tool}/lti/login", data={"iss": "https://elsewhere.example", "login_hint": "x"},
                       timeout=30)
    assert reply.status_code == 403 and "tutor lti add-platform" in reply.text


def test_two_platforms_users_never_share_a_learner():
    a, b = learner_key("https://vle-a.example", "42"), learner_key("https://vle-b.example", "42")
    assert a != b and a.startswith("lti:") and ":" not in a.removeprefix("lti:").split(":")[0]
    from tutor.learners.accounts import NAME

    assert not NAME.match(a)  # no password account can be called this
