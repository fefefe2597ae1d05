"""Practice scores to the test platform's gradebook (AGS): the line item created when missing and then reused, the
platform's own line item used when the launch names one, retries while the gradebook fails, and a record of what was
sent. The tool gets its access token with a client assertion the platform checks against the tool's JWKS."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest

from tests.lti.flow import launch
from tutor.lti.ags import SCOPE_SCORE
from tutor.lti.grades import MAX_TRIES
from tutor.lti.sessions import COOKIE

UNIT = "psychology-memory"


def as_learner(tool_app, client) -> SimpleNamespace:
    """A stand-in for gr.Request carrying what the sign-in middleware puts on a real one."""
    who = tool_app.handlers.lti.signed_in(client.cookies.get(COOKIE))
    return SimpleNamespace(state=SimpleNamespace(learner=who.learner), username=None, session_hash="s")


def answer(tool_app, request, index: int, right: bool) -> None:
    """Answer quiz item ``index`` of the unit through the Practise tab's handler, as the learner."""
    practise = tool_app.handlers.practise
    items = practise.items(UNIT)
    state = {**practise.new_quiz(UNIT), "index": index}
    practise.check(items[index].answer if right else "certainly not this", state, request)


@pytest.fixture
def signed_in(tool_app, platform):
    with httpx.Client(timeout=30) as client:
        assert launch(client, platform, "ann", "psych").status_code == 303
        yield as_learner(tool_app, client)
    platform.scores.clear()
    platform.score_failures = 0
    platform.with_lineitem = False


def test_a_score_reaches_a_line_item_created_for_the_activity(tool_app, platform, signed_in):
    grades, items = tool_app.handlers.lti.grades, tool_app.handlers.practise.items(UNIT)
    before = len(platform.lineitems)
    answer(tool_app, signed_in, 0, right=True)
    assert grades.flush(20)
    assert len(platform.lineitems) == before + 1  # made, since the launch named none
    item = list(platform.lineitems.values())[-1]
    assert item["resourceId"] == UNIT and item["resourceLinkId"] == "rl-psych" and item["scoreMaximum"] == 100
    assert "Memory" in item["label"]
    score = platform.scores[-1]
    assert score["lineitem"] == item["id"] and score["userId"] == "u-ann"
    assert score["scoreGiven"] == pytest.approx(100 / len(items), abs=0.01) and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "InProgress" and score["gradingProgress"] == "FullyGraded"

    answer(tool_app, signed_in, 1, right=True)
    answer(tool_app, signed_in, 0, right=False)  # the latest answer counts: item 0 is wrong now
    assert grades.flush(20)
    assert len(platform.lineitems) == before + 1  # the same line item again
    assert platform.scores[-1]["scoreGiven"] == pytest.approx(100 / len(items), abs=0.01)
    record = grades.sends(signed_in.state.learner)
    assert record[0]["status"] == "sent" and record[0]["payload"]["userId"] == "u-ann"
    assert record[0]["line_item"] == item["id"] and record[0]["response"] == 200


def test_a_busy_gradebook_is_tried_again_and_the_record_shows_it(tool_app, platform, signed_in):
    grades = tool_app.handlers.lti.grades
    platform.score_failures = 2
    send = tool_app.handlers.lti.practised(signed_in.state.learner, UNIT)
    assert grades.flush(20)
    row = next(s for s in grades.sends() if s["id"] == send)
    assert row["status"] == "sent" and row["tries"] == 3 and row["response"] == 200
    assert platform.scores[-1]["userId"] == "u-ann"


def test_a_gradebook_that_keeps_failing_is_given_up_with_the_reason(tool_app, platform, signed_in):
    grades = tool_app.handlers.lti.grades
    platform.score_failures = 100
    attempts = platform.score_attempts
    send = tool_app.handlers.lti.practised(signed_in.state.learner, UNIT)
    assert grades.flush(30)
    row = next(s for s in grades.sends() if s["id"] == send)
    assert row["status"] == "failed" and row["tries"] == MAX_TRIES and row["response"] == 503
    assert "503" in row["last_error"] and platform.score_attempts - attempts == MAX_TRIES


def test_the_launch_s_own_line_item_is_used(tool_app, platform):
    platform.with_lineitem = True
    try:
        with httpx.Client(timeout=30) as client:
            launch(client, platform, "tess", "psych")
            request = as_learner(tool_app, client)
        made = len(platform.lineitems)
        tool_app.handlers.lti.practised(request.state.learner, UNIT)
        assert tool_app.handlers.lti.grades.flush(20)
        assert len(platform.lineitems) == made
        assert platform.scores[-1]["lineitem"].endswith("/lineitems/1") and platform.scores[-1]["userId"] == "u-tess"
    finally:
        platform.with_lineitem = False


def test_practice_outside_a_graded_activity_sends_nothing(tool_app, platform, signed_in):
    lti = tool_app.handlers.lti
    assert lti.practised(signed_in.state.learner, "economics-demand-supply") is None  # never launched into it
    assert lti.practised("anonymous-session", UNIT) is None  # not an LTI learner


def test_the_access_token_is_for_the_scores_scope(platform, tool_app, signed_in):
    tool_app.handlers.lti.practised(signed_in.state.learner, UNIT)
    assert tool_app.handlers.lti.grades.flush(20)
    assert any(SCOPE_SCORE in scopes for scopes in platform.tokens.values())
