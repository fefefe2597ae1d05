"""The Review tab's components and events (the handlers are ``ReviewTab``'s, and each checks the gate itself)."""

from __future__ import annotations

import gradio as gr

from .auth import NEEDS_PASSWORD
from .review import ALERT_HEADERS, PRIVATE, ReviewTab
from .store import FILTERS


def build_review(h: ReviewTab, tab: gr.Tab, extra=None) -> None:
    """The tab; ``extra(token)`` adds more tutor-only views inside the unlocked body."""
    # The session's review token lives in Gradio's server-side session state: the browser never holds it.
    token = gr.State(None)
    with gr.Row(visible=bool(h.gate.password)) as locked_row:
        password = gr.Textbox(label="Review password", type="password", elem_id="review-password", scale=3)
        enter = gr.Button("Unlock", elem_id="review-unlock", scale=1)
    message = gr.Markdown("" if h.gate.open else NEEDS_PASSWORD, elem_id="review-message")
    with gr.Column(visible=False) as body:  # shown once the server lets this session in
        alerts = _alerts_section(h, token)
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
        _verdict_form(h, chosen, token, status, summary)
        export = gr.Button("Export reviewed answers as eval cases", elem_id="review-export")
        exported = gr.HTML(elem_id="review-file")  # a one-time link to the authorised download route
        export_msg = gr.Markdown()
        if extra is not None:
            extra(token)
    listing = dict(fn=h.refresh, inputs=[which, token], outputs=[table, chosen, summary], **PRIVATE)
    tab.select(h.enter, [token], [body, locked_row, message], **PRIVATE).then(**listing).then(**alerts)
    for unlock_event in (enter.click, password.submit):
        unlock_event(h.unlock, [password, token], [body, locked_row, message, token, password], **PRIVATE).then(
            **listing).then(**alerts)
    for event in (refresh.click, which.change):
        event(**listing)
    chosen.change(h.show, [chosen, token], [detail], **PRIVATE)
    export.click(h.export, [token], [exported, export_msg], **PRIVATE)


def _verdict_form(h: ReviewTab, chosen, token, status, summary) -> None:
    """One verdict (and comment) per citation of the chosen answer, redrawn when another answer is chosen. The
    fields come from ``h.form`` (which checks the gate); the render function only draws them."""
    fields = gr.State([])
    chosen.change(h.form, [chosen, token], [fields], **PRIVATE)

    @gr.render(inputs=[fields], triggers=[fields.change])
    def form(shown):
        if not shown:
            return
        radios, notes = [], []
        for f in shown:
            with gr.Row():
                radios.append(gr.Radio(f["choices"], value=f["verdict"], label=f["label"], scale=2))
                notes.append(gr.Textbox(f["comment"], label="Comment (optional)", scale=2))
        keys = [f["key"] for f in shown]
        save = gr.Button("Save verdicts", variant="primary", elem_id="review-save")

        def on_save(request: gr.Request, cid, session_token, *values):
            return h.save(cid, keys, list(values), session_token, request), h.summary(session_token, request)
        save.click(on_save, [chosen, token, *radios, *notes], [status, summary], **PRIVATE)


def _alerts_section(h: ReviewTab, token) -> dict:
    """Safeguarding alerts for the DSL: message, time, unit, session; mark one seen. Returns the refresh event."""
    with gr.Accordion("Safeguarding alerts", open=True, elem_id="review-alerts"):
        note = gr.Markdown(elem_id="alerts-note")
        with gr.Row():
            show_seen = gr.Checkbox(False, label="Show alerts already seen", elem_id="alerts-show-seen", scale=3)
            refresh = gr.Button("Refresh alerts", elem_id="alerts-refresh", scale=1)
        table = gr.Dataframe(headers=ALERT_HEADERS, interactive=False, wrap=True, elem_id="alerts-table")
        with gr.Row():
            chosen = gr.Dropdown(label="Alert", choices=[], elem_id="alerts-choose", scale=3)
            seen = gr.Button("Mark seen", variant="primary", elem_id="alerts-mark-seen", scale=1)
    shown = dict(fn=h.refresh_alerts, inputs=[show_seen, token], outputs=[table, chosen, note], **PRIVATE)
    for event in (refresh.click, show_seen.change):
        event(**shown)
    seen.click(h.mark_seen, [chosen, show_seen, token], [table, chosen, note], **PRIVATE)
    return shown
