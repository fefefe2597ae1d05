"""The ``extractive-v1`` backend: the previous default answerer, kept so ``tutor eval --compare`` can show the new
one beside it on the same cases. The evals register it when they load this module; it is never in the
product's registry. It scores sentences with fixed weights (similarity to the question and the search text,
shares of their words, a penalty per passage rank) and quotes the best one with the rest of its passage, plus
one sentence of another passage scoring within 90% of it."""

from __future__ import annotations

from typing import Iterator

from ..answering.base import Backend, Request
from ..plugins import backends
from ..retrieval.ranking import FEATURES, Scored
from ..settings import Settings

WEIGHTS = {"cos_question": 0.65, "cos_search": 0.65, "words_question": 0.35, "words_search": 0.2}
RANK_PENALTY = 0.02


def score(s: Scored) -> float:
    f = dict(zip(FEATURES, s.features))
    rank = 1.0 / f["passage_rank"] - 1
    return (sum(w * f[k] for k, w in WEIGHTS.items()) - RANK_PENALTY * rank) / sum(WEIGHTS.values())


@backends.register("extractive-v1")
class PreviousExtractive(Backend):
    name = "extractive-v1"

    def __init__(self, settings: Settings | None = None):
        pass

    def generate(self, request: Request) -> Iterator[str]:
        ranked = sorted(request.ranked, key=score, reverse=True)
        if not ranked:
            return
        top = ranked[0]
        chosen = [top] + [s for s in ranked[1:] if s.n == top.n][:3]
        chosen += [s for s in ranked[1:] if s.n != top.n and score(s) >= max(0.3, 0.9 * score(top))][:1]
        for s in sorted(chosen, key=lambda s: s.index):
            yield f"{s.text} [{s.n}] "
