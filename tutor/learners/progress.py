"""Progress per learner and unit, from what ``TUTOR_DB`` holds: sections practised, cards due, recall (FSRS
retrievability: the chance the learner recalls the card now) per section, and questions asked; and the class view
(one row per learner) for tutors. Rows are plain dicts, so the app charts them and ``to_csv`` exports them.

>>> rows = sections(db_path, "ann", "unit-a")          # doctest: +SKIP
>>> rows[0]                                             # doctest: +SKIP
{'section': 'Intro', 'cards': 4, 'due': 1, 'recall': 0.93, 'reviews': 9}
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from pathlib import Path

from fsrs import Card, Scheduler, State

from sqlalchemy import text

from . import db
from .schedule import default_scheduler, utc


def _recall(scheduler: Scheduler, stability: float | None, last_review: str | None, now: datetime) -> float:
    if not stability or not last_review:
        return 0.0
    card = Card(card_id=1, state=State.Review, stability=stability, last_review=utc(last_review))
    return scheduler.get_card_retrievability(card, now)


def _unit_clause(unit: str) -> tuple[str, dict]:
    return ("unit = :unit", {"unit": unit}) if unit else ("1 = 1", {})


def sections(path: Path | str, learner: str, unit: str = "", now: datetime | None = None,
             scheduler: Scheduler | None = None) -> list[dict]:
    """One row per section the learner practised in ``unit`` ("" for every unit), in name order."""
    now, scheduler = now or datetime.now(timezone.utc), scheduler or default_scheduler()
    where, args = _unit_clause(unit)
    with db.create(path).connect() as conn:
        cards = conn.execute(text(f"SELECT section, due, stability, last_review FROM cards WHERE learner = :learner "
                                  f"AND {where}"), {"learner": learner, **args}).mappings().all()
        reviews = dict(conn.execute(text(f"SELECT section, COUNT(*) FROM card_reviews WHERE learner = :learner AND "
                                         f"{where} GROUP BY section"), {"learner": learner, **args}).all())
    out: dict[str, dict] = {}
    for c in cards:
        row = out.setdefault(c["section"], {"section": c["section"] or "(no section)", "cards": 0, "due": 0,
                                            "recall": 0.0, "reviews": reviews.get(c["section"], 0)})
        row["cards"] += 1
        row["due"] += utc(c["due"]) <= now
        row["recall"] += _recall(scheduler, c["stability"], c["last_review"], now)
    for row in out.values():
        row["recall"] = round(row["recall"] / row["cards"], 3)
    return [out[k] for k in sorted(out)]


def questions_asked(path: Path | str, learner: str, unit: str = "") -> int:
    where, args = _unit_clause(unit)
    with db.create(path).connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM chats WHERE learner = :learner AND {where}"),
                            {"learner": learner, **args}).scalar_one()


def summary(path: Path | str, learner: str, unit: str = "", now: datetime | None = None) -> dict:
    rows = sections(path, learner, unit, now)
    cards = sum(r["cards"] for r in rows)
    return {"learner": learner, "unit": unit, "sections practised": len(rows), "cards": cards,
            "cards due": sum(r["due"] for r in rows),
            "recall": round(sum(r["recall"] * r["cards"] for r in rows) / cards, 3) if cards else None,
            "questions asked": questions_asked(path, learner, unit)}


def class_view(path: Path | str, unit: str = "", now: datetime | None = None,
               scheduler: Scheduler | None = None) -> list[dict]:
    """One row per learner (anyone with cards or questions in ``unit``), by name: the ``summary`` of each."""
    now, scheduler = now or datetime.now(timezone.utc), scheduler or default_scheduler()
    where, args = _unit_clause(unit)
    with db.create(path).connect() as conn:
        cards = conn.execute(text(f"SELECT learner, section, due, stability, last_review FROM cards WHERE {where}"),
                             args).mappings().all()
        asked = dict(conn.execute(text(f"SELECT learner, COUNT(*) FROM chats WHERE {where} AND learner != '' "
                                       "GROUP BY learner"), args).all())
    rows = {name: {"learner": name, "sections practised": set(), "cards": 0, "cards due": 0, "recall": 0.0,
                   "questions asked": n} for name, n in asked.items()}
    for c in cards:
        row = rows.setdefault(c["learner"], {"learner": c["learner"], "sections practised": set(), "cards": 0,
                                             "cards due": 0, "recall": 0.0, "questions asked": 0})
        row["sections practised"].add(c["section"])
        row["cards"] += 1
        row["cards due"] += utc(c["due"]) <= now
        row["recall"] += _recall(scheduler, c["stability"], c["last_review"], now)
    for row in rows.values():
        row["sections practised"] = len(row["sections practised"])
        row["recall"] = round(row["recall"] / row["cards"], 3) if row["cards"] else None
    return [rows[k] for k in sorted(rows)]


def to_csv(rows: list[dict]) -> str:
    """The rows as CSV text, a header line first ("" for no rows)."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
