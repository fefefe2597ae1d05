"""End to end in Debian's Chromium (Playwright): a learner opens the activity on the test platform's course page and
arrives in the tutor signed in, in the activity's unit; practises; the score arrives at the platform's AGS endpoint.
A bad launch in the same browser gets the refusal page and leaves nobody signed in (nothing of the earlier learner
shows). A teacher opens the Review tab without the review password; a learner does not."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import RSAKey

from tests.app.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser
UNIT = "psychology-memory"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's Chromium is missing: apt-get install -y chromium (.ci/run does this)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900})  # its own cookies
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def arrive(page, platform, user: str, link: str = "psych") -> None:
    page.goto(platform.launch_url(user, link))
    page.wait_for_url(f"{platform.tool}/")
    page.wait_for_function("document.querySelector('#signed-in') && "
                           "document.querySelector('#signed-in').innerText.includes('Signed in')")


def wait_for(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    return check()


def test_launch_practise_and_the_score_reaches_the_gradebook(page, platform, tool_app, tmp_path):
    arrive(page, platform, "ann")
    assert "Ann Learner" in page.inner_text("#signed-in") and "teacher" not in page.inner_text("#signed-in")
    title = tool_app.handlers.course.title(UNIT)
    page.wait_for_function(f"document.querySelector('#unit-about').innerText.includes({title!r})")

    item = tool_app.handlers.practise.items(UNIT)[0]  # a new learner's first card
    page.get_by_role("tab", name="Practise").click()
    page.wait_for_function("document.querySelector('#quiz-card').innerText.includes('Question 1 of')")
    assert item.sentence[item.start + len(item.answer):][:20].strip() in page.inner_text("#quiz-card")
    page.fill("#quiz-answer textarea", item.answer)
    page.click("#quiz-check")
    page.wait_for_selector("#quiz-feedback .feedback.right")
    page.screenshot(path=str(tmp_path / "lti-practise.png"))  # a temporary folder only

    score = wait_for(lambda: [s for s in platform.scores if s["userId"] == "u-ann"])
    assert score, "no score arrived at the platform's AGS endpoint"
    items = len(tool_app.handlers.practise.items(UNIT))
    assert score[-1]["scoreGiven"] == pytest.approx(100 / items, abs=0.01)
    assert platform.lineitems[score[-1]["lineitem"]]["resourceId"] == UNIT

    page.get_by_role("tab", name="Progress").click()
    page.wait_for_function("document.querySelector('#progress-summary').innerText.includes('cards:')")
    assert "cards: 1" in page.inner_text("#progress-summary").replace("**", "")

    page.get_by_role("tab", name="Review").click()  # a learner: the review password is still asked
    page.wait_for_selector("#review-password input", state="visible")
    assert not page.locator("#review-table").is_visible()

    # A bad launch (signed with a key that is not the platform's) in the same browser
    platform.spoil = {"key": RSAKey.generate_key(2048)}
    page.goto(platform.launch_url("bob"))
    page.wait_for_selector("#lti-refused")
    page.screenshot(path=str(tmp_path / "lti-refused.png"))
    assert "signature" in page.inner_text("#lti-message") and "Open the activity again" in page.inner_text("#lti-message")
    page.goto(f"{platform.tool}/")  # and back to the tutor: nobody is signed in, nothing of Ann's is shown
    page.wait_for_selector("#unit-picker")
    page.get_by_role("tab", name="Progress").click()
    page.wait_for_function("document.querySelector('#progress-summary').innerText.includes('cards:')")
    assert "cards: 0" in page.inner_text("#progress-summary").replace("**", "")
    assert "Ann" not in page.inner_text("body")


def test_a_teacher_sees_the_review_and_class_views_without_the_password(page, platform, tool_app):
    arrive(page, platform, "tess")
    assert "Tess Teacher" in page.inner_text("#signed-in") and "teacher" in page.inner_text("#signed-in")
    page.get_by_role("tab", name="Review").click()
    page.wait_for_selector("#review-table", state="visible")
    assert not page.locator("#review-password input").is_visible()
    page.get_by_text("Class progress").click()
    page.click("#class-show")
    page.wait_for_function("document.querySelector('#class-table').innerText.includes('lti:')")


def test_a_student_claiming_a_teacher_role_the_token_does_not_give_gets_no_review(page, platform, tool_app):
    platform.spoil = {"claims": {"role": "Instructor", "https://purl.imsglobal.org/spec/lti/claim/custom":
                                 {"unit": UNIT, "roles": "Instructor"}}}
    arrive(page, platform, "bob")  # staff elsewhere in the college (an institution role), a learner here
    assert "teacher" not in page.inner_text("#signed-in")
    page.get_by_role("tab", name="Review").click()
    page.wait_for_selector("#review-password input", state="visible")
    assert not page.locator("#review-table").is_visible()
