"""The decisions taken before any answer is drafted, in order: a safeguarding disclosure (signposting first), an
attempt to change the tutor's instructions, then, once passages are retrieved, whether the unit answers the
question at all and whether the question assumes something the unit does not say.

``before(question, assessment, topics, policy)`` runs before retrieval; ``after(retrieval, ranked, vocabulary,
first, scope)`` after it. Each takes typed inputs (the safeguarding ``Assessment``, the ``Retrieval``, the ranked
sentences, the unit's ``Vocabulary``, the loaded ``ScopeModel``) and returns a ``Decision``."""

from __future__ import annotations

import dataclasses
from typing import Callable

from ..retrieval.hybrid import Retrieval
from ..retrieval.ranking import Scored
from ..retrieval.vocabulary import Vocabulary
from .decision import ANSWER, DECLINE, SIGNPOST, Decision
from .injection import is_injection
from .messages import message, topics_line
from .patterns import any_match, patterns
from .policy import Policy
from .premise import false_premise
from .safeguarding import CONCERN, DISCLOSURE, Assessment
from .scope import ScopeModel, out_of_scope

__all__ = ["Decision", "before", "after", "declined", "study_question"]


def before(question: str, assessment: Assessment, topics: Callable[[], list[str]], policy: Policy) -> Decision:
    """Safeguarding, then injection. A disclosure gets the policy's signposting instead of an answer (in the words
    for who is writing, led by the emergency line when someone is in danger now); a possible concern goes on to an
    answer with the policy's note beneath it. ``topics`` (called only for a refusal) names
    what the units cover, for the suggestion."""
    level, who = assessment.level, assessment.audience
    if level == DISCLOSURE:  # the message for who is writing, led by the emergency line when the danger is now
        text = policy.disclosure_for(who, assessment.immediate)
        return Decision(SIGNPOST, "safeguarding", text, signposting=text)
    note = policy.concern_for(who) if level == CONCERN else ""
    if is_injection(question):
        return Decision(DECLINE, "injection", message("injection", suggestion=topics_line("suggestion", topics()[:5])),
                        signposting=note)
    return Decision(ANSWER, signposting=note)


def after(retrieval: Retrieval, ranked: list[Scored], vocabulary: Vocabulary, first: Decision,
          scope: ScopeModel) -> Decision:
    """Scope, then a false premise (a notice above the answer, not a refusal); ``first`` is what ``before``
    decided (its signposting note is kept)."""
    why = out_of_scope(retrieval, ranked, vocabulary, scope)
    if why and first.signposting:  # a possible concern is never declined: its signposting is the reply
        return Decision(SIGNPOST, "concern", first.signposting, detail=why, signposting=first.signposting)
    if why:
        return declined(why, retrieval)
    claim = false_premise(retrieval.query.corrected, vocabulary.stems)
    return dataclasses.replace(first, notice=message("premise", claim=claim) if claim else "")


def study_question(assessment: Assessment) -> str:
    """What a message that raised a safeguarding concern also asked as study: its parts that raised none and read
    as a question ("" when there are none)."""
    return " ".join(p for p in assessment.study_parts() if any_match(patterns("question")["patterns"], p))


def declined(why: str, retrieval: Retrieval) -> Decision:
    """The scope refusal, naming the nearest topics the retrieved passages do cover."""
    from ..text.names import name_runs

    topics: list[str] = []
    for p in retrieval.passages[:2]:
        for name in name_runs(p.chunk.text, numbers=False):
            if name.words >= 2 and name.text not in topics:
                topics.append(name.text)
    nearest = topics_line("nearest", topics[:4])
    return Decision(DECLINE, "scope", message("decline", nearest=nearest), detail=why)
