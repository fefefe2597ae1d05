"""The Progress tab (a learner's own progress in the chosen unit: a chart of recall per section, cards due,
questions asked, a CSV) and, inside the Review tab behind the review password, the class view and what the units
leave unanswered. The figures come from ``learners.progress`` and ``learners.unanswered``; handlers only draw."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

import gradio as gr
import pandas as pd

from ..learners import progress
from ..learners.accounts import learner_of
from ..learners.unanswered import groups
from .review import PRIVATE
from .store import SETTLE_SECONDS

COLUMNS = ["section", "cards", "due", "recall", "reviews"]


def _csv(rows: list[dict], name: str) -> str | None:
    """The rows written to a fresh temporary file Gradio may serve (nothing under the project's data folder)."""
    if not rows:
        return None
    path = Path(tempfile.mkdtemp(prefix="tutor-csv-")) / name
    path.write_text(progress.to_csv(rows), encoding="utf-8")
    return str(path)


class ProgressTab:
    def __init__(self, db: Path, review, embed: Callable[[list[str]], list[list[float]]]):
        self.db, self.review, self.embed = db, review, embed  # review: the ReviewTab, whose gate tutors pass

    def mine(self, unit: str, quiz: dict | None, request: gr.Request = None):
        """(summary markdown, chart data, CSV file) for this learner in ``unit``."""
        learner = learner_of(request, (quiz or {}).get("id", ""))
        rows = progress.sections(self.db, learner, unit or "")
        s = progress.summary(self.db, learner, unit or "")
        recall = "no cards yet" if s["recall"] is None else f"{s['recall']:.0%}"
        text = (f"**Sections practised:** {s['sections practised']} · **cards:** {s['cards']} · "
                f"**due now:** {s['cards due']} · **recall:** {recall} · **questions asked:** {s['questions asked']}")
        chart = pd.DataFrame(rows, columns=COLUMNS)
        return text, chart, _csv(rows, "progress.csv")

    def whole_class(self, unit: str, token: str | None, request: gr.Request):
        """(table, CSV file) of every learner in ``unit``; tutors only."""
        self.review.require(token, request)
        self.review.store.flush(SETTLE_SECONDS)  # questions this process just queued count too
        rows = progress.class_view(self.db, unit or "")
        return pd.DataFrame(rows), _csv(rows, "class-progress.csv")

    def unanswered(self, unit: str, token: str | None, request: gr.Request):
        """(table, CSV file) of unanswered questions grouped by meaning; tutors only."""
        self.review.require(token, request)
        self.review.store.flush(SETTLE_SECONDS)
        rows = groups(self.db, self.embed, unit or None)
        return pd.DataFrame(rows, columns=["unit", "questions", "examples", "first", "last"]), _csv(rows, "unanswered.csv")

    def build(self, unit, quiz) -> None:
        """The learner's tab (inside a ``gr.Tab``); refreshed when opened and by its button."""
        refresh = gr.Button("Refresh", elem_id="progress-refresh", size="sm")
        text = gr.Markdown(elem_id="progress-summary")
        chart = gr.BarPlot(pd.DataFrame(columns=COLUMNS), x="section", y="recall", y_lim=[0, 1], title="Recall by section",
                           y_title="recall now (FSRS)", elem_id="progress-chart", height=320)
        table = gr.File(label="Download as CSV", elem_id="progress-csv")
        refresh.click(self.mine, [unit, quiz], [text, chart, table], api_name="progress")  # the learner's own only
        self.refresh = dict(fn=self.mine, inputs=[unit, quiz], outputs=[text, chart, table], **PRIVATE)

    def build_tutor(self, unit, token) -> None:
        """The class view and the unanswered questions (inside the Review tab's unlocked body)."""
        with gr.Accordion("Class progress", open=False):
            show = gr.Button("Show class progress", elem_id="class-show", size="sm")
            table = gr.Dataframe(interactive=False, elem_id="class-table")
            csv = gr.File(label="Download as CSV", elem_id="class-csv")
        show.click(self.whole_class, [unit, token], [table, csv], **PRIVATE)
        with gr.Accordion("What the units leave unanswered", open=False):
            find = gr.Button("Group unanswered questions", elem_id="unanswered-show", size="sm")
            grouped = gr.Dataframe(interactive=False, wrap=True, elem_id="unanswered-table")
            file = gr.File(label="Download as CSV", elem_id="unanswered-csv")
        find.click(self.unanswered, [unit, token], [grouped, file], **PRIVATE)
