"""What the guards decide about a question, before any answer is drafted."""

from __future__ import annotations

from dataclasses import dataclass

ANSWER, DECLINE, SIGNPOST = "answer", "decline", "signpost"


@dataclass(frozen=True)
class Decision:
    action: str  # answer | decline | signpost (safeguarding signposting instead of an answer)
    reason: str = ""  # which guard or check decided: "safeguarding", "injection", "scope"
    message: str = ""  # what the learner is told instead of an answer
    detail: str = ""  # why, for tutors and logs ("the unit never mentions X")
    notice: str = ""  # shown above an answer (a false premise)
    signposting: str = ""  # a safeguarding note shown beneath an answer (a possible concern, not a disclosure)

    @property
    def answers(self) -> bool:
        return self.action == ANSWER
