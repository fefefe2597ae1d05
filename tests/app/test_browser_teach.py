"""A real browser (Playwright, Debian's Chromium) against the real app, for the teaching parts: hints before the
answer, a card due again after a wrong answer, the progress chart, and the unanswered questions behind the review
password. Screenshots go to a temporary folder; with TUTOR_REFRESH_SCREENSHOT=1 also to docs/ for the README:

    TUTOR_REFRESH_SCREENSHOT=1 .venv/bin/python -m pytest tests/app/test_browser_teach.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402


from tests.app import test_browser  # noqa: E402
from tests.app.test_browser import PASSWORD  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

pytestmark = pytest.mark.browser


served = test_browser.served  # the same app, served for this module (module-scoped fixtures)
page = test_browser.page


def shot(page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / name))
    if os.environ.get("TUTOR_REFRESH_SCREENSHOT") == "1":  # only on request: see the module docstring
        shutil.copyfile(tmp_path / name, ROOT / "docs" / name)


def test_hints_come_before_the_answer_which_shows_only_after_a_try(page, tmp_path):
    page.fill("#question textarea", "Which person led the inquiry after Victoria Climbie died?")
    page.click("#help-button")
    page.wait_for_selector("#chat .hint-1")
    assert page.locator("#chat .answer").count() == 0 and "Laming" not in page.inner_text("#chat")
    page.click("#hint-more")
    page.wait_for_selector("#chat .hint-2")
    assert "Laming" not in page.inner_text("#chat") and "Laming" not in page.inner_text("#sources-panel")
    shot(page, tmp_path, "hints.png")
    page.fill("#hint-try textarea", "Nobody I know")
    page.click("#hint-check")
    page.wait_for_selector("#chat .hint-result.wrong")
    page.wait_for_selector("#chat .answer.answered")
    assert "Laming" in page.inner_text("#chat")


def test_a_wrong_answer_comes_back_due(page, served, tmp_path):
    handlers = served[1].handlers
    first = handlers.course.aids("").items[0]
    page.get_by_role("tab", name="Practise").click()
    page.fill("#quiz-answer textarea", "certainly not this")
    page.click("#quiz-check")
    page.wait_for_selector("#quiz-feedback .feedback.wrong")
    assert page.locator("#quiz-feedback .cited-passage").count() == 1
    clock = handlers.deck.clock
    handlers.deck.clock = lambda: clock() + timedelta(minutes=5)  # the one-minute relearning step has passed
    page.click("#quiz-next")  # the card just answered is never shown twice in a row: a new one
    page.wait_for_function("document.querySelector('#quiz-card').innerText.includes('Question 2 of')")
    page.click("#quiz-next")
    page.wait_for_selector("#quiz-card .due-note")
    assert "Question 1 of" in page.inner_text("#quiz-card") and first.source.split("/")[-1] in page.inner_text("#quiz-card")
    shot(page, tmp_path, "practise-due.png")


def test_the_progress_chart(page, tmp_path):
    page.get_by_role("tab", name="Progress").click()
    page.wait_for_function("document.querySelector('#progress-summary').innerText.includes('cards:')")
    assert "cards: 1" in page.inner_text("#progress-summary").replace("**", "")
    page.wait_for_selector("#progress-chart canvas, #progress-chart svg")
    page.wait_for_selector("#progress-csv a, #progress-csv .file-preview")
    shot(page, tmp_path, "progress-tab.png")


def test_the_unanswered_questions_need_the_review_password(page, served, tmp_path):
    list(served[1].handlers.ask.ask("What is the capital of France?", [], None))
    list(served[1].handlers.ask.ask("Which city is the capital of France?", [], None))
    page.get_by_role("tab", name="Review").click()
    assert not page.locator("#unanswered-show").is_visible()
    page.fill("#review-password input", PASSWORD)
    page.click("#review-unlock")
    page.wait_for_selector("#review-table", state="visible")
    page.get_by_text("What the units leave unanswered").click()
    page.click("#unanswered-show")
    page.wait_for_function("document.querySelector('#unanswered-table').innerText.includes('capital of France')")
    text = page.inner_text("#unanswered-table")
    assert "2" in text and text.count("capital of France") == 2  # one group of two wordings
    shot(page, tmp_path, "unanswered.png")
