"""The finished ``Answer`` from what the stages produced: verified sentences and their citations, or a refusal."""

from __future__ import annotations

import dataclasses

from ..answering.base import Request
from ..answering.chain import Drafted
from ..guards.decision import SIGNPOST, Decision
from ..guards.messages import message
from ..retrieval.hybrid import Retrieval
from ..retrieval.passages import Passage
from ..types import ANSWERED, DECLINED, SAFEGUARDING, Answer, Citation
from .drafts import render


def answered(request: Request, drafted: Drafted, decision: Decision, retrieval: Retrieval,
             numbered: list[Citation], direct: str, n: int) -> Answer:
    """The finished answer: the verified sentences with their citations, the learner's notices, the direct answer."""
    notes = ([] if request.answers else [message("closest")]) + ([decision.notice] if decision.notice else [])
    if drafted.stopped:
        notes.append(message("stopped", error=drafted.stopped))
    if drafted.failures:
        notes.append(message("fallback", failures="; ".join(drafted.failures)))
    cited = sorted({m for s in drafted.sentences for m in s.citations} | ({n} if direct else set()))
    text = (f"{direct} [{n}]\n" if direct else "") + render(drafted.sentences)
    return Answer(ANSWERED, text, drafted.backend, citations=[numbered[m - 1] for m in cited],
                  sentences=drafted.sentences, retrieved=retrieved(retrieval), passages=numbered,
                  notice=" ".join(notes), signposting=decision.signposting, direct=direct,
                  on_question=request.answers)


def refusal(decision: Decision, retrieval: Retrieval | None = None, numbered: list[Citation] = ()) -> Answer:
    status = SAFEGUARDING if decision.action == SIGNPOST else DECLINED
    return Answer(status, decision.message, reason=decision.reason, detail=decision.detail,
                  retrieved=retrieved(retrieval) if retrieval else [], passages=list(numbered),
                  signposting=decision.signposting)


def citation(p: Passage) -> Citation:
    c = p.chunk
    return Citation(n=p.n, chunk_id=c.id, source=c.source, start=c.raw_start, end=c.raw_end, text=c.raw,
                    score=round(p.score, 6), display=c.text, paragraph=c.paragraph, unit=c.unit,
                    section=c.section, page=c.page)


def retrieved(retrieval: Retrieval) -> list[dict]:
    return [{"chunk_id": p.chunk.id, "text": p.chunk.text, "score": round(p.score, 6), "dense": round(p.dense, 4),
             "keyword": round(p.keyword, 4)} for p in retrieval.passages]


def with_study_answer(signposting: Answer, study: Answer) -> Answer:
    """A disclosure's reply when the message also asked a study question: the signposting first, then the study
    answer with its citations (only the signposting when the units do not answer it)."""
    if study.status != ANSWERED:
        return signposting
    return dataclasses.replace(study, status=SAFEGUARDING, answer=f"{signposting.answer}\n\n{study.answer}",
                               reason=signposting.reason, signposting=signposting.signposting)
