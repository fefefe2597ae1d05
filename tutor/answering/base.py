"""The answer backend interface. A backend implements ``generate(request) -> Iterator[str]``: it streams answer
text whose sentences carry ``[n]`` markers naming the numbered passages. It never decides what the learner sees:
the grounding stage verifies every sentence first.

Backends are registered by name through ``tutor.plugins.backends`` (see ``tutor/plugins.py``), the built-in ones
exactly like a plugin's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Iterator

from ..retrieval.passages import Passage
from ..retrieval.ranking import Scored

PROMPTS = Path(__file__).with_name("prompts")


@dataclass
class Request:
    question: str  # as the learner asked it
    search_text: str  # repaired and expanded, what retrieval used
    passages: list[Passage]  # numbered, with their sentences' stored vectors
    history: tuple[str, ...] = ()
    ranked: list[Scored] = field(default_factory=list, repr=False)  # candidate sentences, best first
    chosen: list[Scored] = field(default_factory=list, repr=False)  # the ones the learned policy answers with
    answers: bool = True  # False: the best sentence probably does not answer it (only the closest passages)


class Backend:
    """Drafts an answer. Besides ``generate`` a backend declares what else it can do, and the pipeline reads these
    capabilities, never a backend's name (as simonw/llm models declare ``can_stream``)."""

    name = "base"
    quotes_passages = False  # its drafts are the passages' own sentences: it can always answer (the last resort)
    can_condense = False  # has condense(question, history) -> a follow-up rewritten to stand alone
    can_complete = False  # has complete(prompt) -> one whole reply (quiz items)

    @classmethod
    def configured(cls, settings) -> bool:
        """False when the deployment gives it nothing to run (the default chain then skips it)."""
        return True

    def generate(self, request: Request) -> Iterator[str]:
        raise NotImplementedError


def render(template: str, **values: str) -> str:
    """A prompt from ``prompts/<template>.txt``; a missing value raises KeyError (strict)."""
    text = (PROMPTS / f"{template}.txt").read_text(encoding="utf-8")
    return Template(text).substitute(**values)


def passages_block(passages: list[Passage]) -> str:
    return "\n".join(f"[{p.n}] {p.chunk.text}" for p in passages)
