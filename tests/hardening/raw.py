"""Calling a served app's events the way a hand-made HTTP client would, whatever the page shows or hides:
``POST /gradio_api/queue/join``, then read ``/gradio_api/queue/data`` (server-sent events) to the end."""

from __future__ import annotations

import json


def fn_index(blocks, handler) -> int:
    """The event id Gradio gave the event whose function is ``handler`` (a bound method of the app)."""
    return next(i for i, f in blocks.fns.items() if f.fn == handler)


def call(url: str, blocks, handler, data: list, session: str, headers: dict | None = None,
         timeout: float = 60) -> dict:
    """Run one event; returns Gradio's completion message: ``{"success": bool, "output": {"data": [...]} or
    {"error": ...}}``. ``session`` is the session hash: events of one session share its server-side state."""
    import httpx

    body = {"data": data, "fn_index": fn_index(blocks, handler), "session_hash": session, "event_data": None,
            "trigger_id": None}
    with httpx.Client(base_url=url, headers=headers or {}, timeout=timeout) as http:
        # json.dumps escapes everything to ASCII, so even a lone surrogate reaches the server (httpx's json= cannot).
        http.post("gradio_api/queue/join", content=json.dumps(body),
                  headers={"content-type": "application/json"}).raise_for_status()
        with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError(f"the event {handler.__name__} never completed")
