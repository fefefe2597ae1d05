"""What the units leave unanswered, for tutors: logged questions the tutor declined or could only meet with the
closest passages (``on_question`` 0), per unit, grouped by meaning. Disclosures (status ``safeguarding``) are never
read here.

Grouping: the questions' embeddings (the bundled model, through ``embed``; kept in ``question_vectors`` so each
question is embedded once) clustered by scikit-learn's ``AgglomerativeClustering`` with average linkage on
cosine distance (a precomputed matrix: faster than ``metric="cosine"``), cut at ``DISTANCE`` (questions closer
than that on average are one group).

>>> groups(db_path, tutor.retriever.index.embedder.embed_documents, unit="unit-a")   # doctest: +SKIP
[{'unit': 'unit-a', 'questions': 3, 'examples': 'What is X? | what does X mean', 'first': ..., 'last': ...}]
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from sqlalchemy import bindparam, text

from . import db

DISTANCE = 0.4  # cosine distance at which two groups stay apart (0 = same direction, 1 = unrelated)
EXAMPLES = 3  # wordings shown per group
LIMIT = 5000  # most recent questions read per unit


def unanswered(path: Path | str, unit: str | None = None) -> list[dict]:
    """Declined and closest-passages questions, newest first: [{"unit", "question", "created", "status"}]."""
    where, args = ("AND unit = :unit", {"unit": unit}) if unit is not None else ("", {})
    with db.create(path).connect() as conn:
        rows = conn.execute(text(
            "SELECT unit, question, created, status FROM chats WHERE status != 'safeguarding' AND "
            f"(status = 'declined' OR (status = 'answered' AND on_question = 0)) {where} ORDER BY id DESC LIMIT :limit"),
            {**args, "limit": LIMIT}).mappings().all()
    return [dict(r) for r in rows]


def _labels(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) < 2:
        return np.zeros(len(vectors), dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    distances = np.clip(1.0 - vectors @ vectors.T, 0.0, 2.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=DISTANCE)
    return model.fit_predict(distances)


def vectors(path: Path | str, embed, questions: list[str]) -> np.ndarray:
    """Unit-length embeddings of ``questions``: stored ones read back, the rest embedded once and stored."""
    wanted = list(dict.fromkeys(questions))
    with db.create(path).begin() as conn:
        known = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = conn.execute(text("SELECT question, vector FROM question_vectors WHERE question IN :chunk")
                                .bindparams(bindparam("chunk", expanding=True)), {"chunk": chunk}).all()
            known.update((r[0], np.frombuffer(r[1], dtype=np.float32)) for r in rows)
        missing = [q for q in wanted if q not in known]
        if missing:
            fresh = np.asarray(embed(missing), dtype=np.float32)
            fresh /= np.maximum(np.linalg.norm(fresh, axis=1, keepdims=True), 1e-12)
            known.update(zip(missing, fresh))
            conn.execute(text("INSERT INTO question_vectors (question, vector) VALUES (:q, :v) ON CONFLICT (question) "
                              "DO UPDATE SET vector = excluded.vector"),
                         [{"q": q, "v": v.tobytes()} for q, v in zip(missing, fresh)])
    return np.stack([known[q] for q in questions]).astype(float) if questions else np.zeros((0, 1))


def groups(path: Path | str, embed: Callable[[list[str]], list[list[float]]], unit: str | None = None) -> list[dict]:
    """Groups of unanswered questions per unit, largest first: count, example wordings (distinct, newest first),
    first and last date asked."""
    rows = unanswered(path, unit)
    out = []
    for slug in sorted({r["unit"] for r in rows}):
        mine = [r for r in rows if r["unit"] == slug]
        labels = _labels(vectors(path, embed, [r["question"] for r in mine]))
        for label in sorted(set(labels.tolist())):
            members = [r for r, lab in zip(mine, labels) if lab == label]
            wordings = list(dict.fromkeys(r["question"].strip() for r in members))
            dates = sorted(r["created"][:10] for r in members)
            out.append({"unit": slug or "(all units)", "questions": len(members),
                        "examples": " | ".join(w[:160] for w in wordings[:EXAMPLES]), "first": dates[0],
                        "last": dates[-1]})
    return sorted(out, key=lambda g: (-g["questions"], g["unit"], g["examples"]))
