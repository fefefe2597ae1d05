"""Answering latency as a learner feels it: time until the citations (the ``passages`` event of
``Tutor.stream``) and until the first answer text, per answerer, over the dev questions (each asked within its
unit, as a learner who chose that unit would ask it).

``first_text_ms`` counts only questions the answerer itself answered (status ``answered``); questions the
guard or the scope check handled before any answerer ran are counted by status, not timed as its answers.
"""

from __future__ import annotations

import time

from ..pipeline import Tutor
from .util import Budget, ms_since, profile_top, summary
from ..errors import TutorError
from ..types import Done, Passages, Text


def answer_one(tutor: Tutor, case: dict, backend: str) -> dict:
    """Stream one answer: milliseconds until the passages, the first text and the end, and the status."""
    t0 = time.perf_counter()
    row = {"citations_ms": None, "first_text_ms": None, "total_ms": None, "status": "error", "stages_ms": {}}
    try:
        for event in tutor.stream(case["question"], tuple(case.get("history", ())), backend, unit=case.get("unit")):
            if isinstance(event, Passages) and row["citations_ms"] is None:
                row["citations_ms"] = ms_since(t0)
            elif isinstance(event, Text) and row["first_text_ms"] is None:
                row["first_text_ms"] = ms_since(t0)
            elif isinstance(event, Done):
                row["status"], row["stages_ms"] = event.answer.status, event.answer.timings_ms
    except TutorError as exc:  # e.g. the local model wrote nothing its passages support
        row["error"] = f"{exc.__class__.__name__}: {exc}"[:300]
    row["total_ms"] = ms_since(t0)
    return row


def answering(tutor: Tutor, questions: list[dict], backend: str, budget_s: float, limit: int | None = None,
              profile_questions: int = 0) -> dict:
    """Warm-up (the first question loads what the backend needs: ``warmup_s``), then each question in turn
    until ``limit`` or the time budget runs out."""
    t0 = time.perf_counter()
    warm = answer_one(tutor, next(q for q in questions if q.get("kind", "answerable") == "answerable"), backend)
    warmup_s = round(time.perf_counter() - t0, 2)
    budget, rows = Budget(budget_s), []
    for case in questions[:limit]:
        if not budget.left():
            break
        rows.append(answer_one(tutor, case, backend))
    answered = [r for r in rows if r["status"] == "answered"]
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    result = {
        "backend": backend, "questions": len(rows), "of": len(questions[:limit]), "warmup_s": warmup_s,
        "warmup_error": warm.get("error"), "statuses": statuses,
        "citations_ms": summary([r["citations_ms"] for r in rows if r["citations_ms"] is not None]),
        "first_text_ms": summary([r["first_text_ms"] for r in answered if r["first_text_ms"] is not None]),
        "total_ms": summary([r["total_ms"] for r in rows if r["citations_ms"] is not None]),
        "stages_ms": {k: summary([r["stages_ms"][k] for r in answered if k in r["stages_ms"]])["mean"]
                      for k in ("retrieve", "generate", "total")},
        "errors": sorted({r["error"] for r in rows if "error" in r})[:3],
    }
    if profile_questions:
        sample = [q for q in questions if q.get("kind", "answerable") == "answerable"][:profile_questions]
        result["profile"] = {"what": f"{backend}: {len(sample)} answerable questions, the whole stream",
                             **profile_top(lambda: [answer_one(tutor, q, backend) for q in sample])}
    return result


def model_first_token(tutor: Tutor, questions: list[dict], limit: int) -> dict:
    """How soon the local model itself streams its first token for the real prompt (cold: no cached prefix),
    against how soon the pipeline shows a first verified sentence: the gap is buffering and verification."""
    from ..answering.base import passages_block, render
    from ..answering.local import LocalBackend
    from ..question import Asked
    from ..reading import read

    backend = tutor.backend("local")
    if not isinstance(backend, LocalBackend):
        return {"n": 0, "note": "the local backend is not llama-cpp"}
    llm, times, tokens_per_s = backend.model(), [], []
    for case in [q for q in questions if q.get("kind", "answerable") == "answerable"][:limit]:
        history, unit = tuple(case.get("history", ())), case.get("unit")
        reading = read(tutor.resources, Asked(case["question"], history, unit))
        passages, query = reading.retrieval.passages[:backend.passages], reading.query.text
        prompt = render("answer", passages=passages_block(passages), question=query)  # as the backend asks
        with backend._turn():  # the model's turn, as LocalBackend.generate takes it
            llm.reset()  # no prompt prefix reused from an earlier call: the whole prompt is evaluated
            t0, first, n = time.perf_counter(), None, 0
            for chunk in llm.create_chat_completion(messages=[{"role": "user", "content": prompt}], stream=True,
                                                    max_tokens=32, temperature=0.0):
                if chunk["choices"][0].get("delta", {}).get("content"):
                    n += 1
                    first = first or ms_since(t0)
        times.append(first or ms_since(t0))
        if n > 1:
            tokens_per_s.append((n - 1) / ((ms_since(t0) - times[-1]) / 1000))
    return {**summary(times), "passages": backend.passages, "tokens_per_s": round(sum(tokens_per_s) / len(tokens_per_s), 1) if tokens_per_s else None}
