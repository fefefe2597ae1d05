"""How fast the progress and tutor views load for a class: a temporary database filled with ``learners`` x
``reviews`` practice reviews (cards spread over ``sections``), and questions each learner asked, some declined;
then the queries the Progress tab, the class view and the unanswered view run, timed. Aim: each under 1 s for
200 learners x 500 reviews. Not a test: nothing passes or fails on a number.

    $ python -m tutor.bench.learners            # 200 x 500
    {'learners': 200, 'reviews': 100000, 'fill_s': ..., 'learner_view_s': ..., 'class_view_s': ..., ...}
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..learners import db, progress
from ..storage import tables
from ..learners.unanswered import groups

UNIT = "bench-unit"


def fill(path: Path, learners: int, reviews: int, sections: int = 10, cards: int = 120, asked: int = 20) -> None:
    """Rows as the app writes them (the card state is not read by the views, so a placeholder)."""
    rng, now = random.Random(7), datetime.now(timezone.utc)
    engine = db.create(path)
    card_rows, review_rows, chat_rows = [], [], []
    for n in range(learners):
        name = f"learner{n:03d}"
        for c in range(cards):
            last = now - timedelta(days=rng.uniform(0, 30))
            card_rows.append(dict(learner=name, card=f"card{c}", unit=UNIT, section=f"Section {c % sections}",
                                  state="{}", due=(last + timedelta(days=rng.uniform(0, 20))).isoformat(),
                                  stability=rng.uniform(0.5, 40), last_review=last.isoformat()))
        for r in range(reviews):
            review_rows.append(dict(learner=name, card=f"card{r % cards}", unit=UNIT,
                                    section=f"Section {r % cards % sections}", correct=int(rng.random() < 0.8),
                                    seconds=rng.uniform(2, 40), rating=rng.randint(1, 4),
                                    reviewed=(now - timedelta(days=rng.uniform(0, 30))).isoformat()))
        for q in range(asked):
            chat_rows.append(dict(session=name, created=now.isoformat(), question=f"question {q} of {name} about topic "
                                  f"{q % 5}", history="[]", status="declined" if q % 4 == 0 else "answered", backend="",
                                  reason="", verified=1, answer="{}", learner=name, unit=UNIT, on_question=int(q % 3 != 0)))
    with engine.begin() as conn:
        conn.execute(tables.cards.insert(), card_rows)
        conn.execute(tables.card_reviews.insert(), review_rows)
        conn.execute(tables.chats.insert(), chat_rows)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return round(time.perf_counter() - t0, 3)


def run(learners: int = 200, reviews: int = 500, embed=None) -> dict:
    """Fill a temporary database and time each view; ``embed`` defaults to the hashing embedder (the bundled
    model's time per question is measured by ``tutor bench`` already)."""
    from ..ingest.embed import HashEmbeddings

    embed = embed or HashEmbeddings().embed_documents
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        fill_s = _timed(lambda: fill(path, learners, reviews))
        return {"learners": learners, "reviews": learners * reviews, "fill_s": fill_s,
                "learner_view_s": _timed(lambda: (progress.sections(path, "learner100", UNIT),
                                                  progress.summary(path, "learner100", UNIT))),
                "class_view_s": _timed(lambda: progress.class_view(path, UNIT)),
                "unanswered_first_s": _timed(lambda: groups(path, embed, UNIT)),  # embeds every question
                "unanswered_view_s": _timed(lambda: groups(path, embed, UNIT))}  # as tutors see it after


if __name__ == "__main__":
    sizes = [int(x) for x in sys.argv[1:3]] if len(sys.argv) > 2 else [200, 500]
    print(run(*sizes))
