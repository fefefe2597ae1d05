"""Two more readings of a message the safeguarding classifier flags, each a logistic regression over the same
fine-tuned embedding (trained and thresholded on its data by ``train_safeguarding``):

- ``immediate``: is someone in danger now ("right now", "tonight", "he's downstairs", "I've just taken")? Then the
  signposting leads with the emergency number.
- ``audience``: who is writing: a young person (about themself, a friend or a sibling), a parent about their own
  child, an adult learner about their own life, or a worker or other adult about a child. The signposting is the
  policy's message for that audience (an adult is never sent to Childline); below the head's threshold, the
  policy's general message.

>>> head = Head(np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros(2), ("parent", "young_person"), 0.6)
>>> head.choose(np.array([[3.0, 0.0], [0.1, 0.0]]))
['parent', '']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The writers' and the older data's speakers, as the audiences a policy writes messages for.
AUDIENCES = {"young_person": ("learner_teen", "friend", "sibling", "teenager", "child"),
             "parent": ("parent",),
             "adult": ("adult_learner",),
             "worker": ("placement_student", "other_adult", "practitioner", "teacher", "nursery_worker", "carer",
                        "neighbour", "relative")}
SPEAKER_AUDIENCE = {speaker: audience for audience, speakers in AUDIENCES.items() for speaker in speakers}


@dataclass(frozen=True)
class Head:
    """A multinomial (or binary) logistic regression over the embedding; a class is chosen only when its
    probability reaches ``threshold``."""

    coef: np.ndarray  # classes x features (one row for a binary head: the positive class)
    intercept: np.ndarray
    classes: tuple[str, ...]
    threshold: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.coef.T + self.intercept
        if len(self.classes) == 2 and z.shape[1] == 1:  # scikit-learn's binary form: the second class's logit
            z = np.hstack([np.zeros_like(z), z])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def choose(self, x: np.ndarray) -> list[str]:
        """Each row's class, or "" when no class is probable enough."""
        p = self.probabilities(x)
        best = p.argmax(axis=1)
        return [self.classes[b] if p[i, b] >= self.threshold else "" for i, b in enumerate(best)]

    def to_dict(self) -> dict:
        return {"coef": np.round(self.coef, 4).tolist(), "intercept": np.round(self.intercept, 4).tolist(),
                "classes": list(self.classes), "threshold": round(float(self.threshold), 6)}

    @classmethod
    def from_dict(cls, data: dict) -> "Head":
        coef, intercept = np.asarray(data["coef"], dtype=np.float64), np.asarray(data["intercept"], dtype=np.float64)
        if coef.ndim != 2 or coef.shape[0] != intercept.shape[0]:
            raise ValueError(f"head coef {coef.shape} and intercept {intercept.shape} do not fit")
        return cls(coef, intercept, tuple(data["classes"]), float(data["threshold"]))


def audience_of(row: dict) -> str:
    """The audience a labelled message was written as ("" when its speaker says none: a study question)."""
    return SPEAKER_AUDIENCE.get(row.get("voice") or row.get("speaker") or "", "")


def fit_head(x: np.ndarray, labels: list[str], threshold: float, c: float = 1.0) -> Head:
    """A logistic regression on ``x`` for ``labels`` (scikit-learn, deterministic), kept as a ``Head``."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=5_000).fit(x, labels)
    return Head(model.coef_, model.intercept_, tuple(str(k) for k in model.classes_), threshold)
