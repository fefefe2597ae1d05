"""The load test's figures and its check of the database.

>>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
(2.5, 3.85)
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import bindparam, create_engine, text

from ..evals.metrics import percentile as interpolated
from ..storage.engine import url_of


def percentile(values: list[float], q: float) -> float | None:
    """``evals.metrics.percentile`` to the millisecond; None for no values (no such step in the run)."""
    return round(interpolated(values, q), 3) if values else None


def figures(learners: list, seconds: float) -> dict:
    """Per action: how many, errors, p50/p95/p99 seconds (and of the first text for streamed answers); answers/s."""
    steps = [s for learner in learners for s in learner.steps]
    out = {}
    for action in sorted({s.action for s in steps}):
        mine = [s for s in steps if s.action == action]
        ok = [s.seconds for s in mine if not s.error]
        first = [s.first for s in mine if not s.error and s.first is not None]
        out[action] = {"n": len(mine), "errors": len(mine) - len(ok),
                       **{f"p{q}_s": percentile(ok, q) for q in (50, 95, 99)},
                       **({f"first_p{q}_s": percentile(first, q) for q in (50, 95, 99)} if first else {})}
    answers = sum(1 for s in steps if s.action in ("ask", "hint", "disclosure") and not s.error)
    errors = Counter(s.error.split(":")[0] for s in steps if s.error)
    return {"learners": len(learners), "seconds": seconds, "answers_per_s": round(answers / seconds, 2),
            "actions": out, "errors": sum(errors.values()), "error_kinds": dict(errors),
            "error_examples": sorted({s.error for s in steps if s.error})[:5]}


def alert_ids(database: str, since: str) -> list[str]:
    engine = create_engine(url_of(database))
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM alerts WHERE created >= :since"), {"since": since})]
    engine.dispose()
    return ids


def check_database(database: str, learners: list, since: str) -> dict:
    """Whether every answer the learners were shown is logged exactly once, every practice answer the app counted
    is one card review, and every disclosure it signposted is one alert: the differences, per kind (empty: none)."""
    engine = create_engine(url_of(database))
    sessions = [x.session for x in learners if x.session]
    problems = {"answers": [], "reviews": [], "alerts": []}
    with engine.connect() as conn:
        expanding = bindparam("s", expanding=True)
        logged = Counter()
        for learner, question, n in conn.execute(text("SELECT learner, question, COUNT(*) FROM chats WHERE learner IN "
                                                      ":s GROUP BY learner, question").bindparams(expanding),
                                                 {"s": sessions}):
            logged[(learner, question)] = n
        reviews = dict(conn.execute(text("SELECT learner, COUNT(*) FROM card_reviews WHERE learner IN :s GROUP BY "
                                         "learner").bindparams(expanding), {"s": sessions}).all())
        alerts = Counter(dict(conn.execute(text("SELECT message, COUNT(*) FROM alerts WHERE created >= :since "
                                                "GROUP BY message"), {"since": since}).all()))
    engine.dispose()
    for x in learners:  # shown <= logged <= shown + unsure (sent, no answer seen: the app may have finished it)
        for question in set(x.asked) | set(x.unsure):
            n, found = x.asked[question], logged.get((x.session, question), 0)
            if not n <= found <= n + x.unsure[question]:
                problems["answers"].append(f"{x.session}: {question[:40]!r} shown {n}, unsure {x.unsure[question]}, "
                                           f"logged {found}")
        if reviews.get(x.session, 0) != x.practised:
            problems["reviews"].append(f"{x.session}: counted {x.practised}, stored {reviews.get(x.session, 0)}")
    # An alert per disclosure signposted, and none more than the times its message was sent (a concern raised by an
    # ordinary question is an alert too, so the messages answered are the upper bound).
    disclosed = sum((x.disclosed for x in learners), Counter())
    sent = sum((x.asked + x.unsure for x in learners), Counter())
    for message in set(disclosed) | set(alerts):
        if not disclosed[message] <= alerts[message] <= sent[message]:
            problems["alerts"].append(f"{message[:40]!r}: signposted {disclosed[message]}, alerts {alerts[message]}, "
                                      f"sent {sent[message]}")
    return {"answers": sum(sum(x.asked.values()) for x in learners), "reviews": sum(x.practised for x in learners),
            "disclosures": sum(disclosed.values()), "alerts": sum(alerts.values()),
            "problems": {k: v[:10] for k, v in problems.items() if v}}
