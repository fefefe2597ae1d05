"""The web app: handlers called directly (no server), then the real app served on a free loopback port and driven
with gradio_client. Everything runs over the real unit and the bundled embedding model."""

from __future__ import annotations

import os
import re
import threading
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import pytest  # noqa: E402

from tutor.app import render  # noqa: E402
from tutor.errors import BackendError, ConfigError  # noqa: E402
from tutor.text import terms  # noqa: E402
from tutor.types import Passages  # noqa: E402
from tutor.evals.cases import load_cases  # noqa: E402
from tutor.app.build import TutorApp, build_app, launch
from tutor.app.auth import LOCAL_ONLY, LOCKED, NEEDS_PASSWORD, WRONG, Peer  # noqa: E402

from tests.app.test_store import hold_write_lock  # noqa: E402
from tests.conftest import SLUG, free_port, wait_for_port  # noqa: E402

CAF_Q = "What is the Common Assessment Framework?"
LOCAL, REMOTE = Peer("127.0.0.1"), Peer("203.0.113.9")  # stand-ins for gr.Request: the client's address
PROXIED = Peer("127.0.0.1", {"x-forwarded-for": "203.0.113.9"})  # a proxy on this machine forwarding a visitor


@pytest.fixture
def make_app(unit_settings, tutor, tmp_path):
    """A TutorApp over the shared Tutor with its own database and export file."""
    def make(**changes) -> TutorApp:
        settings = unit_settings.replace(**{"log_chats": True, "db": tmp_path / "tutor.sqlite3", **changes})
        return TutorApp(settings, tutor=tutor, export_path=tmp_path / "reports" / "reviewed.jsonl")
    return make


def ask(app: TutorApp, question: str, chat=None, session=None) -> list[tuple]:
    return list(app.ask.ask(question, chat or [], session))


def content(chat) -> str:
    return chat[-1]["content"]


# ---- Ask ---------------------------------------------------------------------------------------------------
def test_passages_arrive_before_the_answer_which_links_every_marker(make_app):
    app = make_app()
    steps = ask(app, CAF_Q)
    first_panel = next(i for i, (_, _, panel, _) in enumerate(steps) if 'class="passage' in panel)
    assert "Finding passages" in content(steps[first_panel][1])  # sources shown while the answer is pending
    assert all('class="passage' not in panel for _, _, panel, _ in steps[:first_panel])
    box, chat, panel, session = steps[-1]
    assert box == "" and chat[0] == {"role": "user", "content": CAF_Q}
    final = content(chat)
    assert 'class="answer answered' in final and "Common Assessment Framework" in final
    assert "quotes from the unit" in final and "every sentence supported by its passage" in final
    targets = set(re.findall(r'href="#(src-1-\d+)"', final))
    assert targets and all(f'id="{t}"' in panel for t in targets)
    assert '<mark class="evidence">' in panel and 'class="passage cited"' in panel
    assert "paragraph 9" in panel and "unit-25-safeguarding-outcome-1.4.txt" in panel and "used in the answer" in panel
    assert not re.search(r"score \d", panel)  # relevance in words, never the fusion score
    assert session["turn"] == 1 and session["questions"] == [CAF_Q]


def test_follow_ups_use_the_conversation_and_new_conversation_clears_it(make_app):
    app = make_app()
    *_, (_, chat, _, session) = ask(app, "What is a serious case review?")
    *_, (_, chat, panel, session) = ask(app, "Who normally carries them out?", chat, session)
    assert 'class="answer answered' in content(chat) and "Safeguarding Board" in content(chat)
    assert len(chat) == 4 and 'id="turn-2"' in panel and "<details>" in panel  # turn 1 folded away
    assert 'href="#src-2-' in content(chat)
    logged = app.store.chats()
    assert app.store.chat(logged[0]["id"])["history"] == ["What is a serious case review?"]

    box, chat, panel, fresh = app.ask.new_conversation(session)
    assert (box, chat, fresh["questions"], fresh["turn"]) == ("", [], [], 0)
    assert fresh["id"] == session["id"] and 'class="passage' not in panel
    *_, (_, chat, _, fresh) = ask(app, "Who normally carries them out?", chat, fresh)
    assert 'class="answer declined"' in content(chat)  # without the earlier question it is out of scope


def test_declined_and_safeguarding_answers_look_different(make_app):
    app = make_app()
    *_, (_, chat, _, session) = ask(app, "What is the capital of France?")
    assert 'class="answer declined"' in content(chat) and "Not covered by the unit" in content(chat)
    assert 'class="cite"' not in content(chat)
    *_, (_, chat, _, session) = ask(app, "I'm 13 and my mum's boyfriend hits me when she is out", chat, session)
    alarm = content(chat)
    assert 'class="answer safeguarding" role="alert"' in alarm
    for number in ("999", "0808 800 5000", "0800 1111"):
        assert f'href="tel:{number.replace(" ", "")}">{number}</a>' in alarm
    assert session["questions"] == ["What is the capital of France?"]  # a disclosure is not carried forward
    assert [c["status"] for c in app.store.chats()] == ["safeguarding", "declined"]


@pytest.mark.parametrize("question, message", [
    ("   ", "Please type a question about the unit."),
    ("x" * 2001, "the limit is 2,000"),
])
def test_bad_input_gets_the_clis_message_and_is_not_logged(make_app, question, message):
    app = make_app()
    *_, (_, chat, _, session) = ask(app, question)
    assert 'class="answer error"' in content(chat) and message in content(chat)
    assert session["turn"] == 0 and session["questions"] == [] and app.store.chats() == []
    assert all(m["role"] == "assistant" or len(m["content"]) <= 601 for m in chat)


class BrokenTutor:
    """The real retriever (for the study aids) but an answer stream that fails after the passages."""

    def __init__(self, real, error: Exception):
        self.settings, self.error, self.live = real.settings, error, real.live

    def stream(self, question, history=(), backend=None, unit=None):
        yield Passages([])
        raise self.error


def test_internal_errors_show_a_short_message_and_are_logged(unit_settings, tutor, tmp_path, caplog):
    broken = TutorApp(unit_settings, tutor=BrokenTutor(tutor, KeyError("secret internals")), export_path=tmp_path / "x")
    steps = ask(broken, CAF_Q)
    shown = " ".join(content(chat) + panel for _, chat, panel, _ in steps)
    assert content(steps[-1][1]) == render.error_html("Something went wrong on our side; please try again.")
    assert "secret internals" not in shown and "Traceback" not in shown and "KeyError" not in shown
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)

    failing = TutorApp(unit_settings, tutor=BrokenTutor(tutor, BackendError("No backend could answer: x")),
                       export_path=tmp_path / "x")
    *_, (_, chat, _, _) = ask(failing, CAF_Q)
    assert "No backend could answer" in content(chat)


def test_logging_can_be_turned_off(make_app):
    app = make_app(log_chats=False)
    ask(app, CAF_Q)
    assert app.store.chats() == []


def test_starter_questions_and_glossary_come_from_the_unit(make_app, tutor):
    app = make_app()
    aids = app.course.aids(SLUG)
    assert len(aids.starters) == 4
    for q in aids.starters:
        assert tutor.ask(q, unit=SLUG).status == "answered", q
    html = render.glossary_html(aids.glossary)
    for acronym in ("SCR", "CAF"):  # the acronyms the unit writes out beside their long forms
        assert f"<b>{acronym}</b>" in html
    assert "paragraph 1" in html and "paragraph 9" in html


def test_the_unit_picker_switches_starters_glossary_quiz_and_attribution(make_app):
    app = make_app()
    assert app.course.choices()[0] == ("All units", "") and (app.course.title(SLUG), SLUG) in app.course.choices()
    starters, glossary, about, card, reply, feedback, score, state = app.switch_unit("psychology-memory")
    samples = [row[0] for row in starters.raw_samples]
    assert samples == app.course.aids("psychology-memory").starters and "PET" in glossary
    assert "Parts of the Brain" in about and "CC BY 4.0" in about and state["unit"] == "psychology-memory"
    item = app.course.aids("psychology-memory").items[0]
    assert item.unit == "psychology-memory" and item.sentence.split()[0] in card


# ---- Practise ----------------------------------------------------------------------------------------------
def test_quiz_checking_and_running_score(make_app):
    app = make_app()
    state = app.practise.new_quiz(SLUG)
    first = app.practise.items(SLUG)[0]
    card = app.practise.card(state)
    assert "Question 1 of" in card and '<span class="blank">_____</span>' in card
    assert render.escape(first.prompt.split("_____")[1][:30]) in card and render.escape(first.answer) not in card
    feedback, score, state = app.practise.check("  ", state)
    assert "Type your answer" in feedback and "0 / 0" in score
    feedback, score, state = app.practise.check(first.answer.upper() + "!", state)
    assert "Correct" in feedback and "1 / 1" in score and "paragraph" in feedback
    _, score, state = app.practise.check(first.answer, state)  # checking again does not score twice
    assert "1 / 1" in score
    card, box, fb, state = app.practise.next(state)
    second = app.practise.items(SLUG)[1]
    assert (box, fb) == ("", "") and "Question 2 of" in card
    feedback, score, state = app.practise.check("Something else entirely", state)
    assert "Not quite" in feedback and f"“{second.answer}”" in feedback and "1 / 2" in score
    assert render.escape(second.sentence[:40]) in feedback  # quotes the passage sentence


def test_model_written_questions_join_the_quiz_only_when_they_check_out(make_app):
    app = make_app()
    before = len(app.practise.items(SLUG))

    def complete(prompt):  # a model that answers well for Haringey passages and invents elsewhere
        passage = prompt.split("Passage:\n", 1)[1]
        if "Haringey" in passage:
            about = " ".join(w for w in terms(passage) if w != "haringey")[:60]
            return '{"question": "Which council is linked with %s?", "answer": "Haringey"}' % about
        return '{"question": "Which charity runs the nursery?", "answer": "Save the Children"}'

    added = app.add_model_items(complete, unit=SLUG)
    assert 0 < added < app.settings.quiz_model_items and len(app.practise.items(SLUG)) == before + added
    state = app.practise.new_quiz(SLUG)
    state["index"] = before  # the first model-written item
    card = app.practise.card(state)
    assert "answer in the unit" in card and "Which council is linked with" in card and "_____" not in card
    feedback, score, _ = app.practise.check("haringey", state)
    assert "Correct" in feedback and "1 / 1" in score and "paragraph" in feedback
    assert app.add_model_items(lambda prompt: 1 / 0) == 0  # a broken model adds nothing and breaks nothing


def test_each_quiz_session_has_its_own_score(make_app):
    app = make_app()
    a, b = app.practise.new_quiz(), app.practise.new_quiz()
    app.practise.check(app.practise.items("")[0].answer, a)
    assert (a["correct"], b["correct"], b["attempted"]) == (1, 0, 0)


# ---- Review ------------------------------------------------------------------------------------------------
def test_review_needs_the_password_checked_on_the_server(make_app):
    app = make_app(review_password="s3cret")
    ask(app, CAF_Q)
    visible, row, message, token, box = app.review.unlock("wrong", None, LOCAL)
    assert visible["visible"] is False and row["visible"] is True and token is None and message == WRONG
    assert box == ""  # the password box is cleared either way
    for forged in (None, "", "forged-token"):
        with pytest.raises(gr.Error, match=re.escape(LOCKED)):
            app.review.listing("all", forged, LOCAL)  # being on this machine is not enough once a password is set
    assert app.review.refresh("all", None, LOCAL) == (gr.skip(),) * 3  # the tab opening while locked: no error
    visible, row, _, token, _ = app.review.unlock("s3cret", None, REMOTE)  # the password works from anywhere
    assert visible["visible"] is True and row["visible"] is False and token
    rows, picker, summary = app.review.listing("all", token, REMOTE)
    assert rows[0][2] == CAF_Q and picker["choices"][0][1] == rows[0][0]
    assert app.review.enter(token, REMOTE)[0]["visible"] is True  # the tab reopened: still unlocked


def test_review_closed_without_password_beyond_this_machine(make_app):
    app = make_app(host="0.0.0.0")
    visible, _, message, token, _ = app.review.unlock("", None, LOCAL)
    assert message == NEEDS_PASSWORD and token is None and visible["visible"] is False
    with pytest.raises(gr.Error, match="TUTOR_REVIEW_PASSWORD"):
        app.review.listing("all", None, LOCAL)


def test_without_password_only_a_browser_on_this_machine_may_review(make_app):
    app = make_app(host="127.0.0.1")
    assert app.review.listing("all", None, LOCAL)[0] == []
    assert app.review.enter(None, LOCAL)[0]["visible"] is True
    for request in (REMOTE, PROXIED, None):  # a visitor through a local proxy is not local; no request is not local
        body, row, message = app.review.enter(None, request)
        assert body["visible"] is False and row["visible"] is False and message == LOCAL_ONLY
        with pytest.raises(gr.Error, match="TUTOR_REVIEW_PASSWORD"):
            app.review.summary(None, request)


@pytest.mark.parametrize("handler, args", [
    ("listing", ("all",)), ("show", (1,)), ("form", (1,)), ("save", (1, [(0, 1)], ["correct", ""])),
    ("summary", ()), ("export", ()),
])
def test_every_review_handler_checks_on_the_server(make_app, handler, args):
    locked = make_app(review_password="s3cret")
    with pytest.raises(gr.Error, match=re.escape(LOCKED)):
        getattr(locked.review, handler)(*args, "not-a-token", LOCAL)
    local_only = make_app()
    with pytest.raises(gr.Error, match=re.escape(LOCAL_ONLY)):
        getattr(local_only.review, handler)(*args, None, PROXIED)
    assert not local_only.downloads.path.exists()


def test_review_saves_verdicts_summarises_and_exports(make_app, tmp_path):
    app = make_app()
    ask(app, "Who chaired the inquiry into Victoria Climbie's death?")
    ask(app, "What is the capital of France?")
    answered_id, declined_id = sorted(c["id"] for c in app.store.chats())
    detail = app.review.show(answered_id, None, LOCAL)
    assert "S1" in detail and "support 1.00" in detail and '<mark class="evidence">' in detail

    fields = app.review.form(answered_id, None, LOCAL)
    keys = [f["key"] for f in fields]
    assert len(keys) >= 2 and all(f["verdict"] is None for f in fields)
    assert app.review.save(answered_id, keys, [None] * (2 * len(keys)), None, LOCAL).startswith("Pick a verdict")
    verdicts = ["correct"] + ["wrong"] * (len(keys) - 1)
    comments = ["", "cites the wrong review"] + [""] * (len(keys) - 2)
    message = app.review.save(answered_id, keys, verdicts + comments, None, LOCAL)
    assert message == f"Saved {len(keys)} verdicts for answer #{answered_id}."
    saved = app.store.reviews(answered_id)
    assert saved[keys[0]]["verdict"] == "correct" and saved[keys[1]]["comment"] == "cites the wrong review"
    assert [f["verdict"] for f in app.review.form(answered_id, None, LOCAL)] == verdicts  # shown again when reopened

    whole = app.review.form(declined_id, None, LOCAL)
    assert [f["key"] for f in whole] == [(-1, 0)]
    assert app.review.save(declined_id, [(-1, 0)], ["correct", ""], None, LOCAL).startswith("Saved 1 verdict ")

    summary = app.review.summary(None, LOCAL)
    assert f"1 of {len(keys)} citation verdicts correct" in summary and "quotes from the unit" in summary
    assert "Verifier-tutor agreement" in summary and "could not be logged" not in summary

    rows, _, _ = app.review.listing("unreviewed", None, LOCAL)
    assert rows == []
    link, note = app.review.export(None, LOCAL)
    cases = load_cases(app.downloads.path)
    assert [c.kind for c in cases] == ["answerable", "out_of_scope"] and "Wrote 2 eval cases" in note
    assert len(cases[0].gold_quotes) == 1
    assert 'href="review/export/' in link and 'download="reviewed.jsonl"' in link and "works once" in link
    assert app.downloads.path.stat().st_mode & 0o777 == 0o600
    assert app.downloads.path.parent.stat().st_mode & 0o777 == 0o700  # made by the export


def test_the_chat_log_is_private_and_an_answer_never_waits_for_a_locked_database(make_app, tmp_path):
    app = make_app()
    assert app.store.path.stat().st_mode & 0o777 == 0o600
    with hold_write_lock(app.store.path):
        started = time.perf_counter()
        *_, (_, chat, _, _) = ask(app, CAF_Q)
        assert time.perf_counter() - started < 5 and 'class="answer answered"' in content(chat)
        assert app.store.pending == 1  # queued behind the lock, not dropped
    assert app.store.flush(30) and app.store.lost == 0
    assert [c["question"] for c in app.store.chats()] == [CAF_Q]


def test_a_row_that_cannot_be_written_in_time_is_counted_and_shown(unit_settings, tutor, tmp_path):
    from tutor.app.store import Store

    store = Store(tmp_path / "tutor.sqlite3", background=True, retry_seconds=0.5)
    app = TutorApp(unit_settings.replace(log_chats=True), tutor=tutor, store=store, export_path=tmp_path / "x")
    with hold_write_lock(store.path):
        ask(app, CAF_Q)
        assert store.flush(30)
    assert store.lost == 1 and store.chats() == []
    assert "**1 answer could not be logged**" in app.review.summary(None, LOCAL)


# ---- Served ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def served(unit_settings, tutor, tmp_path_factory):
    base = tmp_path_factory.mktemp("served")
    settings = unit_settings.replace(port=free_port(), log_chats=True, db=base / "tutor.sqlite3")
    app = launch(settings, build_app(settings, tutor=tutor, export_path=base / "reviewed.jsonl"), block=False)
    wait_for_port(settings.port, 60)
    yield f"http://127.0.0.1:{settings.port}/", app
    app.close()


def test_launch_refuses_beyond_loopback_without_a_password_and_names_a_taken_port(served, unit_settings):
    with pytest.raises(ConfigError, match="TUTOR_HOST=0.0.0.0 .* set TUTOR_REVIEW_PASSWORD"):
        launch(unit_settings.replace(host="0.0.0.0"), block=False)  # refused before anything is built
    taken = int(served[0].rstrip("/").rsplit(":", 1)[1])
    with pytest.raises(ConfigError, match=f"Cannot listen on 127.0.0.1:{taken} .* Set TUTOR_PORT to a free port"):
        launch(unit_settings.replace(port=taken), block=False)


def test_client_gets_an_answer_with_citations(served):
    from gradio_client import Client

    url, _ = served
    box, chat, panel = Client(url, verbose=False).predict(CAF_Q, [], api_name="/ask")
    text = chat[-1]["content"][0]["text"]
    assert box == "" and chat[0]["content"][0]["text"] == CAF_Q
    assert 'class="answer answered"' in text and re.search(r'<a class="cite" href="#src-1-\d+"', text)
    assert 'id="src-1-1"' in panel


def test_five_concurrent_clients_get_their_own_answers(served):
    from gradio_client import Client

    url, app = served
    before = {c["id"] for c in app.handlers.store.chats()}
    questions = {
        "Who chaired the inquiry into Victoria Climbie's death?": "Lord Laming",
        CAF_Q: "Common Assessment Framework",
        "Which London borough did Peter Connelly live in?": "Haringey",
        "What lesson about phones came out of the Little Ted's serious case review?": "mobile phones",
        "How many agencies did the Laming inquiry find had failed?": "twelve",
    }
    results, errors = {}, []

    def one(question):
        try:
            results[question] = Client(url, verbose=False).predict(question, [], api_name="/ask")[1]
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == [] and len(results) == 5
    for question, fact in questions.items():
        chat = results[question]
        assert len(chat) == 2 and chat[0]["content"][0]["text"] == question
        assert fact in chat[1]["content"][0]["text"]
    logged = [app.handlers.store.chat(c["id"]) for c in app.handlers.store.chats() if c["id"] not in before]
    assert sorted(c["question"] for c in logged) == sorted(questions)
    assert len({c["session"] for c in logged}) == 5 and all(c["history"] == [] for c in logged)


def test_a_long_conversation_keeps_the_session_and_the_page_bounded(make_app):
    from tutor.app.ask import KEEP_BLOCKS, KEEP_MESSAGES, KEEP_QUESTIONS

    app = make_app(log_chats=False)
    chat, session, sizes = [], None, []
    for i in range(KEEP_MESSAGES // 2 + 10):
        *_, (_, chat, panel, session) = ask(app, f"What is the Common Assessment Framework, take {i}?", chat, session)
        sizes.append(len(panel) + sum(len(m["content"]) for m in chat))
    assert len(chat) <= KEEP_MESSAGES + 2 and len(session["blocks"]) == KEEP_BLOCKS
    assert len(session["questions"]) == KEEP_QUESTIONS and panel.count('class="turn"') == KEEP_BLOCKS
    assert f'id="turn-{session["turn"]}"' in panel  # the current answer's passages are always there
    assert max(sizes[-10:]) < 1.3 * min(sizes[-10:])  # no longer growing with every turn


# ---- Help me work it out --------------------------------------------------------------------------------------
def test_help_shows_hints_not_the_answer_until_the_learner_tries(make_app):
    app = make_app()
    flow = app.ask.help
    box, chat, panel, session, state, shown = flow.start("Which person led the inquiry after Victoria Climbie died?",
                                                         [], None)
    hint = content(chat)
    assert state is not None and shown["visible"] and 'class="hint hint-1"' in hint
    assert "Laming" not in hint and 'class="answer' not in hint and 'class="passage' not in panel
    chat, state = flow.more(chat, state)
    assert 'class="hint hint-2"' in content(chat) and "Laming" not in content(chat)
    box, chat, panel, state, shown = flow.attempt("lord lamin", chat, session, state)
    assert "Right: you worked it out" in content(chat) and "Laming" in content(chat)
    assert 'class="passage' in panel and state is None and not shown["visible"]
    assert app.store.chats()[0]["question"].startswith("Which person led")


def test_help_reveals_on_request_and_answers_what_it_cannot_hint(make_app):
    app = make_app()
    flow = app.ask.help
    *_, chat, panel, session, state, shown = flow.start("What is a serious case review?", [], None)
    assert state is not None
    _, chat, panel, state, _ = flow.reveal(chat, session, state)
    assert 'class="answer answered' in content(chat) and state is None
    *_, chat, panel, session, state, shown = flow.start("What is the capital of France?", chat, session)
    assert state is None and 'class="answer declined"' in content(chat) and not shown["visible"]


# ---- Progress and the tutors' views -------------------------------------------------------------------------------
def test_progress_after_practice_and_the_class_view_for_tutors_only(make_app):
    app = make_app()
    state = app.practise.new_quiz(SLUG)
    app.practise.check("not the answer at all", state)  # wrong: Again
    text, chart, csv = app.progress.mine(SLUG, state)
    assert "**cards:** 1" in text and "**due now:** 0" in text and len(chart) == 1 and csv.endswith("progress.csv")
    assert chart["recall"].iloc[0] >= 0
    table, csv = app.progress.whole_class(SLUG, None, LOCAL)
    assert list(table["learner"]) == [state["id"]] and table["cards"].iloc[0] == 1
    with pytest.raises(gr.Error):
        app.progress.whole_class(SLUG, None, REMOTE)
    with pytest.raises(gr.Error):
        app.progress.unanswered(SLUG, None, REMOTE)


def test_a_wrong_answer_comes_back_due_before_new_cards(make_app):
    from datetime import timedelta

    app = make_app()
    state = app.practise.new_quiz(SLUG)
    first = app.practise.items(SLUG)[0]
    feedback, _, state = app.practise.check("not the answer at all", state)
    assert 'class="cited-passage"' in feedback  # the whole passage after a wrong answer
    card, *_, state = app.practise.next(state)
    assert state["index"] == 1 and "Due for review" not in card
    clock = app.deck.clock
    app.deck.clock = lambda: clock() + timedelta(minutes=5)
    card, *_, state = app.practise.next(state)
    assert state["index"] == 0 and "Due for review" in card
    assert render.escape(first.prompt.split("_____")[1][:20]) in card


def test_sign_in_checks_learner_accounts(unit_settings, tutor, tmp_path):
    import httpx

    from tutor.learners.accounts import Accounts

    settings = unit_settings.replace(port=free_port(), db=tmp_path / "tutor.sqlite3", sign_in=True)
    Accounts(settings.db).add("ann", "a long secret")
    app = launch(settings, build_app(settings, tutor=tutor, export_path=tmp_path / "reviewed.jsonl"), block=False)
    try:
        wait_for_port(settings.port, 60)
        url = f"http://127.0.0.1:{settings.port}/"
        assert httpx.get(url + "config", timeout=30).status_code == 401  # nothing without signing in
        assert httpx.post(url + "login", data={"username": "ann", "password": "wrong"}, timeout=30).status_code == 400
        with httpx.Client(base_url=url, timeout=30) as client:
            assert client.post("login", data={"username": "ann", "password": "a long secret"}).status_code == 200
            assert client.get("config").status_code == 200
    finally:
        app.close()


def test_opening_practise_starts_from_the_learners_due_card(make_app):
    from datetime import timedelta

    app = make_app()
    earlier = app.practise.new_quiz("")
    second = app.practise.items("")[1]
    earlier["index"] = 1
    app.practise.check("not the answer at all", earlier)
    clock = app.deck.clock
    app.deck.clock = lambda: clock() + timedelta(hours=1)
    later = {**app.practise.new_quiz(""), "id": earlier["id"]}  # the same learner, a new session
    card, later = app.practise.enter(later, None)
    assert later["index"] == 1 and "Due for review" in card and render.escape(second.prompt.split("_____")[1][:20]) in card
    card, later = app.practise.enter(later, None)
    assert card is not None and later["index"] == 1  # only the first time
