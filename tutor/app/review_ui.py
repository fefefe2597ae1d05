"""The Review tab's components and events (the handlers are ``ReviewTab``'s)."""

from __future__ import annotations

import gradio as gr

from .review import NEEDS_PASSWORD, PRIVATE, ReviewTab
from .store import FILTERS


def build_review(h: ReviewTab, tab: gr.Tab, locked_by_password: bool) -> None:
    open_now = h.open and not locked_by_password
    unlocked = gr.State(open_now)
    with gr.Row(visible=h.open and not open_now) as locked_row:
        password = gr.Textbox(label="Review password", type="password", elem_id="review-password", scale=3)
        enter = gr.Button("Unlock", elem_id="review-unlock", scale=1)
    message = gr.Markdown("" if h.open else NEEDS_PASSWORD)
    with gr.Column(visible=open_now) as body:
        with gr.Row():
            which = gr.Radio(list(FILTERS), value="all", label="Show", elem_id="review-filter", scale=4)
            refresh = gr.Button("Refresh", elem_id="review-refresh", scale=1)
        table = gr.Dataframe(headers=["#", "time", "question", "status", "answerer", "verified", "verdicts"],
                             interactive=False, wrap=True, elem_id="review-table")
        chosen = gr.Dropdown(label="Answer to review", choices=[], elem_id="review-choose")
        detail = gr.HTML(elem_id="review-detail")
        status = gr.Markdown(elem_id="review-status")
        with gr.Accordion("Summary", open=True):
            summary = gr.Markdown(elem_id="review-summary")
        _verdict_form(h, chosen, unlocked, status, summary)
        export = gr.Button("Export reviewed answers as eval cases", elem_id="review-export")
        exported = gr.File(label="Reviewed answers (JSONL)", interactive=False, height=80, elem_id="review-file")
        export_msg = gr.Markdown()
    listing = dict(fn=h.refresh, inputs=[which, unlocked], outputs=[table, chosen, summary], **PRIVATE)
    for unlock_event in (enter.click, password.submit):
        unlock_event(h.unlock, [password, unlocked], [body, locked_row, message, unlocked], **PRIVATE).success(**listing)
    for event in (tab.select, refresh.click, which.change):
        event(**listing)
    chosen.change(h.show, [chosen, unlocked], [detail], **PRIVATE)
    export.click(h.export, [unlocked], [exported, export_msg], **PRIVATE)


def _verdict_form(h: ReviewTab, chosen, unlocked, status, summary) -> None:
    """One verdict (and comment) per citation of the chosen answer, redrawn when another answer is chosen."""
    @gr.render(inputs=[chosen, unlocked], triggers=[chosen.change])
    def form(chat_id, is_unlocked):
        if not chat_id or not is_unlocked:
            return
        fields = h.form(chat_id, is_unlocked)
        radios, notes = [], []
        for f in fields:
            with gr.Row():
                radios.append(gr.Radio(f["choices"], value=f["verdict"], label=f["label"], scale=2))
                notes.append(gr.Textbox(f["comment"], label="Comment (optional)", scale=2))
        keys = [f["key"] for f in fields]
        save = gr.Button("Save verdicts", variant="primary", elem_id="review-save")

        def on_save(cid, ok, *values):
            return h.save(cid, keys, list(values), ok), h.summary(ok)
        save.click(on_save, [chosen, unlocked, *radios, *notes], [status, summary], **PRIVATE)
