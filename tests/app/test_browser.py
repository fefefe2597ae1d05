"""A real browser (Playwright driving Debian's Chromium) against the real app: ask, open a passage from a marker,
answer a quiz item, unlock the Review tab, save a verdict and download the export. Screenshots of the three tabs
go to a temporary folder (the tests write nowhere else).

To refresh the README's screenshot (docs/ask-tab.png), run this test on purpose; ``make test`` never does:

    TUTOR_REFRESH_SCREENSHOT=1 .venv/bin/python -m pytest tests/app/test_browser.py -k ask -p no:cacheprovider
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import pytest  # noqa: E402

from tutor.app.build import build_app, launch  # noqa: E402

from tests.conftest import ROOT, free_port, wait_for_port  # noqa: E402

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
README_SHOT = ROOT / "docs" / "ask-tab.png"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PASSWORD = "tutor-review"


@pytest.fixture(scope="module")
def served(unit_settings, tutor, tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    settings = unit_settings.replace(port=free_port(), log_chats=True, db=base / "tutor.sqlite3",
                                     review_password=PASSWORD)
    app = launch(settings, build_app(settings, tutor=tutor, export_path=base / "reviewed.jsonl"), block=False)
    wait_for_port(settings.port, 60)
    yield f"http://127.0.0.1:{settings.port}/", app
    app.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def page(served):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "Debian's Chromium is missing: apt-get install -y chromium (.ci/run does this)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(served[0])
        yield page
        browser.close()


def visible_in(page, selector: str, container: str) -> bool:
    """Whether the element lies inside the scrollable container's visible area."""
    return page.evaluate(
        """([sel, box]) => { const e = document.querySelector(sel).getBoundingClientRect();
             const c = document.querySelector(box).getBoundingClientRect();
             return e.top >= c.top - 1 && e.top < c.bottom; }""", [selector, container])


def test_ask_shows_answer_and_sources_and_a_marker_opens_its_passage(page, shots):
    page.fill("#question textarea", "Who chaired the inquiry into Victoria Climbie's death?")
    page.click("#ask-button")
    answer = page.wait_for_selector("#chat .answer.answered")
    assert "Lord Laming" in answer.inner_text()
    assert page.locator("#chat .badge.verified").inner_text() == "every sentence supported by its passage"
    assert page.locator("#chat .badge.answerer").inner_text() == "quotes from the unit"
    assert page.locator("#sources .passage").count() >= 2
    assert page.locator("#sources mark.evidence").count() >= 1

    page.evaluate("document.querySelector('#sources').scrollTop = 1e6")  # put passage [1] out of view
    assert not visible_in(page, "#src-1-1", "#sources")
    page.locator('#chat .answer.answered a.cite[href="#src-1-1"]').first.click()
    page.wait_for_selector("#src-1-1.active")
    page.wait_for_function("""() => { const e = document.querySelector('#src-1-1').getBoundingClientRect();
        const c = document.querySelector('#sources').getBoundingClientRect(); return e.top >= c.top - 1 && e.top < c.bottom; }""")
    assert page.locator(".passage.active").count() == 1
    page.screenshot(path=str(shots / "ask.png"))
    if os.environ.get("TUTOR_REFRESH_SCREENSHOT") == "1":  # only on request: see the module docstring
        shutil.copyfile(shots / "ask.png", README_SHOT)

    page.click("#new-conversation")
    page.wait_for_selector("#sources .empty")
    assert page.locator("#chat .answer").count() == 0


def test_practise_checks_an_answer(page, served, shots):
    item = served[1].handlers.course.aids("").items[0]  # the quiz of all units, which the page starts with
    page.get_by_role("tab", name="Practise").click()
    assert "_____" in page.inner_text("#quiz-card")
    page.fill("#quiz-answer textarea", item.answer.lower())
    page.click("#quiz-check")
    page.wait_for_selector("#quiz-feedback .feedback.right")
    assert item.sentence[:30] in page.inner_text("#quiz-feedback")
    page.wait_for_function("document.querySelector('#quiz-score').innerText.includes('1 / 1')")
    page.screenshot(path=str(shots / "practise.png"))


def test_review_is_locked_then_saves_a_verdict_and_downloads_the_export(page, served, shots):
    store = served[1].handlers.store
    page.get_by_role("tab", name="Review").click()
    assert not page.locator("#review-table").is_visible()
    page.fill("#review-password input", "wrong")
    page.click("#review-unlock")
    page.wait_for_selector("text=That password is not right.")
    assert not page.locator("#review-table").is_visible()
    page.fill("#review-password input", PASSWORD)
    page.click("#review-unlock")
    page.wait_for_selector("#review-table", state="visible")
    page.wait_for_function("document.querySelector('#review-table').innerText.includes('Who chaired the inquiry')")
    page.click("#review-choose input")
    page.get_by_role("option", name="Who chaired the inquiry").click()
    page.wait_for_selector("#review-detail .review")
    page.wait_for_selector("#review-save")
    page.get_by_label("correct", exact=True).first.check()
    page.click("#review-save")
    page.wait_for_selector("#review-status >> text=Saved 1 verdict")
    chat_id = store.chats()[0]["id"]
    assert [v["verdict"] for v in store.reviews(chat_id).values()] == ["correct"]
    page.wait_for_selector("#review-summary >> text=Citation accuracy")
    page.click("#review-export")
    link = page.wait_for_selector('#review-file a[download="reviewed.jsonl"]')  # offered for download
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_text().count('"kind": "answerable"') == 1
    assert served[1].handlers.downloads.path.read_text().count('"kind": "answerable"') == 1
    again = page.request.get(served[0] + link.get_attribute("href"))
    assert again.status == 404 and "Export again" in again.text()  # the link worked once
    page.screenshot(path=str(shots / "review.png"), full_page=True)


def test_a_hostile_question_reaches_the_tutor_as_text(page, served):
    """A learner's question is shown to tutors as text: no element, no handler runs (the page is unlocked above)."""
    list(served[1].handlers.ask.ask('<img src=x onerror="window.__pwned=1"> What is the CAF?', [], None))
    page.evaluate("window.__pwned = 0")
    page.click("#review-refresh")
    page.wait_for_function("document.querySelector('#review-table').innerText.includes('onerror')")
    page.click("#review-choose input")
    page.get_by_role("option", name="<img src=x").click()
    page.wait_for_selector("#review-detail .review")
    assert "onerror" in page.inner_text("#review-detail")
    assert page.locator("#review-table img, #review-detail img").count() == 0
    assert page.evaluate("window.__pwned") == 0
