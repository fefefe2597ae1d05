"""Is a learner telling us that a real child (or they themself) may be at risk now? Checked first, on every
question, by a trained classifier saved in ``models/safeguarding.json`` and rebuilt by
``python -m tutor.guards.train_safeguarding`` (the procedure and the data are described in that module).
Every part of the message is scored (the whole, each sentence, the clauses of long ones: ``parts``), all in one
batch, and the most serious part decides: a disclosure inside a longer study message is not averaged away.

The score is the probability that the text is about a real person at risk: the mean of two logistic regressions'
Platt-calibrated probabilities of their disclosure and concern classes (one class per label and category), over
the bundled all-MiniLM-L6-v2 embedding of the text and over its TF-IDF word 1-2-grams and char 3-5-grams (the
artefact holds the terms and idf weights). Two thresholds chosen on dev turn it into a level:

- ``disclosure``: signposting first, instead of an answer (at most 1% of the dev study questions: none of them);
- ``concern``: the answer, with a one-line signposting note beneath it (the threshold is set for recall: every
  dev message labelled disclosure or concern reaches at least this level);
- ``none``.

Which model, and its dev and test figures: ``evals/safeguarding/README.md``.

>>> assess("Explain how a historian would judge the violence of the Peasants' Revolt").level
'none'
>>> is_disclosure("i'm 12 and my stepdad burns me with his lighter when mum is at work")
True
"""

from __future__ import annotations

import json
from typing import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .heads import Head
from .parts import message_parts
from .tfidf import ANALYZERS, Tfidf, clean, ngrams  # noqa: F401 - the trainer and tests read them here too

MODEL_FILE = Path(__file__).parent / "models" / "safeguarding.json"
REBUILD = "python -m tutor.guards.train_safeguarding"
# tutor.ingest.embed.get_embedder name. The artefact records the weights it was trained on (BUNDLED_NAME); "onnx" is
# those weights exported in fp32: the same vectors (cosine 1.00000 with torch's on the course and the dev questions)
# and the same level for all 173 dev messages, without loading torch into a serving process. Not int8: it changed 4.
EMBEDDER = "onnx"
SAME_VECTORS = ("onnx", "bundled")  # index encoders whose vectors the classifier reads as its own (no second call)
NONE, CONCERN, DISCLOSURE = "none", "concern", "disclosure"
Encode = Callable[[list[str]], "np.ndarray | list"]  # texts -> their bundled-model embeddings, one row each
LEVELS = (NONE, CONCERN, DISCLOSURE)  # from no signposting to signposting first
EMBEDDING, TFIDF = "embedding", "tfidf"  # the feature blocks a model part can read


@dataclass(frozen=True)
class Assessment:
    level: str  # disclosure (signposting first) | concern (answer, note beneath) | none
    score: float  # probability (0..1) that the text is about a real person at risk: its most serious part's
    part: str = ""  # that part (the whole message, one sentence or one clause)
    parts: tuple[tuple[str, str], ...] = ()  # every part read, with its level, in the message's order
    immediate: bool = False  # someone in danger now: the signposting leads with the emergency number
    audience: str = ""  # who is writing (heads.AUDIENCES), "" when unsure: the policy's message for them

    def study_parts(self) -> list[str]:
        """The sentences of the message that raised no concern (the whole message aside): what it asks as study."""
        return [p for p, level in self.parts[1:] if level == NONE]


def stack(blocks: tuple[tuple[str, float], ...], features: dict[str, np.ndarray]) -> np.ndarray:
    """The design matrix of a part: its feature blocks side by side, each times its weight."""
    return np.hstack([features[name] * weight for name, weight in blocks])


def harm_logit(logits: np.ndarray, harm: np.ndarray) -> np.ndarray:
    """log(P(harm classes) / P(other classes)) of each row of class logits (softmax), computed stably."""
    def logsumexp(x: np.ndarray) -> np.ndarray:
        top = x.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(x - top).sum(axis=1, keepdims=True)))[:, 0]

    return logsumexp(logits[:, harm]) - logsumexp(logits[:, ~harm])


@dataclass(frozen=True)
class Part:
    """A multinomial logistic regression over feature blocks; its harm probability, Platt-calibrated."""

    blocks: tuple[tuple[str, float], ...]  # (feature block, weight), in the order of the coefficient columns
    coef: np.ndarray  # classes x features
    intercept: np.ndarray  # one per class
    classes: tuple[str, ...]  # "<label>:<category>" (or a bare label): the label before ":" decides harm
    calibration: tuple[float, float] = (1.0, 0.0)  # slope and offset applied to the harm logit
    encoder: str | None = None  # whose embedding its EMBEDDING block reads (an adapter name); None: the classifier's
    weight: float = 1.0  # its share in the classifier's mean

    def harm(self, features: dict[str, np.ndarray]) -> np.ndarray:
        own = features if self.encoder is None else {**features, EMBEDDING: features[vectors_of(self.encoder)]}
        logits = stack(self.blocks, own) @ self.coef.T + self.intercept
        z = harm_logit(logits, np.array([c.split(":")[0] != NONE for c in self.classes]))
        slope, offset = self.calibration
        return 0.5 * (1.0 + np.tanh((slope * z + offset) / 2))  # the sigmoid, without overflow

    @classmethod
    def from_dict(cls, data: dict) -> "Part":
        coef, intercept = np.asarray(data["coef"], dtype=np.float64), np.asarray(data["intercept"], dtype=np.float64)
        classes, blocks = tuple(data["classes"]), tuple((str(n), float(w)) for n, w in data["blocks"])
        if coef.ndim != 2 or coef.shape[0] != len(classes) or intercept.shape != (len(classes),):
            raise ValueError(f"coef {coef.shape} and intercept {intercept.shape} do not fit {len(classes)} classes")
        if not blocks or any(name not in (EMBEDDING, TFIDF) for name, _ in blocks):
            raise ValueError(f"unknown feature blocks {blocks}")
        slope, offset = data.get("calibration", (1.0, 0.0))
        encoder = None if data.get("encoder") is None else str(data["encoder"])
        return cls(blocks, coef, intercept, classes, (float(slope), float(offset)), encoder, float(data.get("weight", 1)))


def vectors_of(encoder: str) -> str:
    """The feature block holding the embeddings of a part's own encoder (another than the classifier's)."""
    return f"{EMBEDDING}:{encoder}"


@dataclass(frozen=True)
class Classifier:
    """The mean harm probability of its parts, and the two thresholds on it.

    >>> part = Part(((EMBEDDING, 1.0),), np.zeros((2, 2)), np.array([0.0, 1.0]), ("disclosure", "none"))
    >>> c = Classifier((part,), 0.2, 0.5)
    >>> [round(float(s), 3) for s in c.scores({EMBEDDING: np.zeros((1, 2))})], c.level(0.3)
    ([0.269], 'concern')
    """

    parts: tuple[Part, ...]
    concern: float  # threshold of the concern level
    disclosure: float  # threshold of the disclosure level (>= concern)
    tfidf: Tfidf | None = None  # the TF-IDF features, when a part reads them
    encoder: str = ""  # the fine-tuned encoder (tutor.ingest.tuned.ADAPTERS) its embeddings come from; "": the bundled
    immediate: Head | None = None  # danger now, read on the flagged parts
    audience: Head | None = None  # who is writing, read on the whole message

    def needs(self, block: str) -> bool:
        # a part's own encoder's embedding is not the classifier's EMBEDDING block (own_encoders); TF-IDF is shared
        return any(name == block and (block != EMBEDDING or part.encoder is None) for part in self.parts
                   for name, _ in part.blocks)

    def own_encoders(self) -> list[str]:
        """The encoders of parts that read another encoder's embedding than the classifier's."""
        return sorted({p.encoder for p in self.parts if p.encoder is not None and any(n == EMBEDDING for n, _ in p.blocks)})

    def features(self, texts: list[str], encode: Encode | None = None) -> dict[str, np.ndarray]:
        """The feature blocks the parts read, one row per text; ``encode`` gives the texts' embeddings when the
        caller holds them (the pipeline embeds everything a question needs in one call)."""
        vectors = (encode or (lambda t: embed(t, self.encoder)))(texts) if self.needs(EMBEDDING) else None
        found = {EMBEDDING: np.asarray(vectors, dtype=np.float64)} if vectors is not None else {}
        found |= {vectors_of(e): embed(texts, e) for e in self.own_encoders()}
        return found | ({TFIDF: self.tfidf.transform(texts)} if self.tfidf is not None else {})

    def scores(self, features: dict[str, np.ndarray]) -> np.ndarray:
        return np.average([part.harm(features) for part in self.parts], axis=0, weights=[p.weight for p in self.parts])

    def level(self, score: float) -> str:
        return DISCLOSURE if score >= self.disclosure else CONCERN if score >= self.concern else NONE

    def assess(self, texts: list[str], encode: Encode | None = None) -> list["Assessment"]:
        """Each message's most serious part (the highest score), its score and level; every part of every message
        is featurised in one batch (one encoder call)."""
        split = [message_parts(t) or (t,) for t in texts]
        flat = [p for ps in split for p in ps]
        features = self.features(flat, encode)
        scores, found, start = self.scores(features), [], 0
        x = features.get(EMBEDDING)
        for ps in split:
            own = scores[start:start + len(ps)]
            best = start + int(np.argmax(own))  # ties: the earliest, the whole message
            levels = tuple((p, self.level(float(v))) for p, v in zip(ps, own))
            level = self.level(float(scores[best]))
            flagged = [start + i for i, v in enumerate(own) if self.level(float(v)) != NONE]
            now = bool(flagged and self.immediate and x is not None and "True" in self.immediate.choose(x[flagged]))
            who = self.audience.choose(x[start:start + 1])[0] if level != NONE and self.audience and x is not None else ""
            # a possible concern with someone in danger now is not left to a line beneath an answer
            found.append(Assessment(DISCLOSURE if now else level, float(scores[best]), flat[best], levels, now, who))
            start += len(ps)
        return found

    @classmethod
    def from_dict(cls, data: dict) -> "Classifier":
        parts, cut = tuple(Part.from_dict(p) for p in data["parts"]), data["thresholds"]
        heads = {k: Head.from_dict(data[k]) if data.get(k) else None for k in ("immediate", "audience")}
        model = cls(parts, float(cut[CONCERN]), float(cut[DISCLOSURE]),
                    Tfidf.from_dict(data[TFIDF]) if data.get(TFIDF) else None, str(data.get("encoder", "")), **heads)
        if not parts or model.needs(TFIDF) != (model.tfidf is not None):
            raise ValueError("a part reads TF-IDF features the artefact does not define (or the reverse)")
        return model


def load_classifier(path: Path = MODEL_FILE) -> Classifier:
    """The classifier saved at ``path``; a missing or unreadable file raises ConfigError naming the rebuild."""
    if not path.is_file():
        raise ConfigError(f"The safeguarding model is missing ({path}). Run: {REBUILD}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        model = Classifier.from_dict(data)
        expected = encoder_label(model.encoder)
        if model.needs(EMBEDDING) and data.get("embedding_model") != expected:  # others' vectors mean nothing
            raise ValueError(f"trained on {data.get('embedding_model')!r}, not on {expected!r}")
        for part, raw in zip(model.parts, data["parts"]):
            if part.encoder in model.own_encoders() and raw.get("embedding_model") != encoder_label(part.encoder):
                raise ValueError(f"a part was trained on {raw.get('embedding_model')!r}, not on "
                                 f"{encoder_label(part.encoder)!r}")
        return model
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # AttributeError: not an object
        raise ConfigError(f"The safeguarding model at {path} is corrupt ({exc.__class__.__name__}: {exc}). "
                          f"Run: {REBUILD}") from None


def embed(texts: list[str], encoder: str = "") -> np.ndarray:
    """Normalised embeddings, one row per text, of the fine-tuned ``encoder`` (an adapter of
    ``tutor.ingest.tuned.ADAPTERS``, or a folder holding one: a candidate being compared) or, with "", of the bundled
    all-MiniLM-L6-v2."""
    from ..ingest.embed import get_embedder
    from ..ingest.tuned import tuned_embeddings

    model = tuned_embeddings(Path(encoder)) if "/" in encoder else get_embedder(f"tuned:{encoder}" if encoder else EMBEDDER)
    return np.asarray(model.embed_documents([clean(t) for t in texts]), dtype=np.float64)


def encoder_label(encoder: str = "") -> str:
    """The name an artefact records for the vectors it was trained on (the adapter's hash for a tuned encoder)."""
    from ..ingest.embed import BUNDLED_NAME
    from ..ingest.tuned import ADAPTERS, label

    return label(Path(encoder) if "/" in encoder else ADAPTERS[encoder]) if encoder else BUNDLED_NAME


def assess(text: str, model: Classifier | None = None, encode: Encode | None = None) -> Assessment:
    """The safeguarding level of one learner message: its most serious part's. ``model``: the loaded classifier
    (``Resources`` holds one; read from its file when not given); ``encode``: the caller's embeddings."""
    return (model or load_classifier()).assess([text], encode)[0]


def is_disclosure(text: str) -> bool:
    """True when the text needs signposting first, instead of an answer."""
    return assess(text).level == DISCLOSURE
