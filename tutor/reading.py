"""The stages that read a question against the units, shared by the pipeline, the trainers, the evals and the
bench: repair the question into a search text, embed what is new in one encoder call, retrieve numbered passages
(with their sentences' stored vectors) and rank their sentences.

>>> reading = read(resources, check_question("What is X?", unit="econ"))   # doctest: +SKIP
>>> reading.retrieval.passages[0].n, reading.ranked[0].text                 # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .question import Asked
from .resources import Live, Resources
from .retrieval.hybrid import Retrieval
from .retrieval.query import Query
from .retrieval.ranking import Scored


@dataclass
class Reading:
    """What retrieval and ranking found for one question."""

    asked: Asked
    retrieval: Retrieval
    ranked: list[Scored]  # candidate sentences of the passages, best first
    question_vector: np.ndarray

    @property
    def query(self) -> Query:
        return self.retrieval.query


def embed_once(live: Live, texts: list[str]) -> list[np.ndarray]:
    """The vectors of ``texts``, computing every one not yet known in a single call to the encoder."""
    return live.vectors(list(texts))


def read(resources: Resources, asked: Asked, mode: str | None = None, query: Query | None = None,
         rank: bool = True) -> Reading:
    """Retrieve and rank for a checked question: ``query`` is its search text when already made (the pipeline
    makes it first, to embed it with the other texts of the question), else it is made here. ``rank=False``
    leaves ``ranked`` empty (the ranking's own trainer, which must not need the model it rebuilds)."""
    live = resources.live()
    query = query or live.retriever.query(asked.question, asked.history, mode, asked.unit)
    question_vector, search_vector = embed_once(live, [asked.question, query.text])
    retrieval = live.retriever.search_with(query, search_vector, resources.settings.top_k, mode, asked.unit)
    ranked = resources.ranker().rank(asked.question, query.text, retrieval.passages, question_vector, search_vector,
                                     live.vectors) if rank else []
    return Reading(asked, retrieval, ranked, question_vector)
