"""``tutor loadtest``: drive ``--learners`` simulated learners against ``--url`` for ``--seconds``, print the
figures, and check the database (``--database``, default ``TUTOR_DATABASE_URL``). With ``--local N`` it first starts
a whole deployment here (Postgres, Chroma, N app processes behind nginx, a webhook receiver) and also checks that
every alert was delivered exactly once.

    $ tutor loadtest --local 2 --learners 50 --seconds 300
    $ tutor loadtest --local 2 --learners 20,50,100 --seconds 60,60,300   # three runs, one deployment
"""

from __future__ import annotations

import json
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from ..alerts.alert import utc_now
from ..errors import TutorError
from .learner import Learner

RAMP_SECONDS = 10.0  # learners arrive over this long, not all in the same instant
SETTLE_SECONDS = 8.0  # after the run: for queued chat-log writes and alert deliveries to finish


def cases(split: str = "dev") -> dict:
    """Questions and disclosures from the evaluation cases of every unit: {"answerable": [(unit, q)], ...}."""
    from ..evals.cases import case_sets

    found = {"answerable": [], "disclosure": []}
    for case_set in case_sets(split):
        for case in case_set.cases:
            if case.kind in found:
                found[case.kind].append((case_set.unit, case.question))
    if not all(found.values()):
        raise TutorError("The load test needs answerable and disclosure cases under evals/units/*/dev.jsonl.")
    return found


def drive(url: str, learners: int, seconds: float, think: float = 1.0, seed: int = 0) -> list[Learner]:
    """Run the learners (threads) until ``seconds`` after the last one arrived; returns them with their steps."""
    questions, start = cases(), time.monotonic()
    people = [Learner(url, n, questions, think, seed) for n in range(learners)]

    def one(person: Learner) -> Learner:
        time.sleep(RAMP_SECONDS * person.number / max(learners, 1))
        return person.run(start + RAMP_SECONDS + seconds)

    with ThreadPoolExecutor(max_workers=learners) as pool:
        return list(pool.map(one, people))


def run(args, settings) -> list[dict]:
    """The whole test: deployment (with --local), then per run its learners, figures and database check."""
    from ..storage import database_of
    from .report import alert_ids, check_database, figures

    local = None
    if args.local:
        from ..deploy.local import deployment

        folder = Path(args.work or tempfile.mkdtemp(prefix="tutor-loadtest-"))
        local = deployment(folder, args.local, settings.corpus_dir, settings.embed_model)
    with (local or nullcontext()) as d:
        url = d.url if d else args.url
        database = d.database if d else (args.database or database_of(settings))
        results = []
        for n, (learners, seconds) in enumerate(runs(args.learners, args.seconds)):
            since, started = utc_now(), time.monotonic()
            people = drive(url, int(learners), seconds, args.think, seed=n)
            out = figures(people, round(time.monotonic() - started - RAMP_SECONDS, 1))
            time.sleep(SETTLE_SECONDS)
            out["database"] = check_database(database, people, since)
            if d:
                out["alerts_delivered_once"] = delivered_once(d.receiver.received, alert_ids(database, since))
                out["processes"] = args.local
            results.append(out)
            print(json.dumps(out), flush=True)
    return results


def delivered_once(received, ids: list[str], wait: float = 90.0) -> bool:
    """Whether the webhook received each alert exactly once, waiting up to ``wait`` s for deliveries still queued
    (an alert is delivered in the background; one left pending by a busy process is swept after 30 s)."""
    deadline = time.monotonic() + wait
    while any(received.get(i, 0) == 0 for i in ids) and time.monotonic() < deadline:
        time.sleep(1)
    return all(received.get(i) == 1 for i in ids)


def runs(learners: str, seconds: str) -> list[tuple[float, float]]:
    """The (learners, seconds) of each run: the two lists side by side, a single value repeated for every run.

    >>> runs("20,50,100", "20"), runs("5", "10,30")
    ([(20.0, 20.0), (50.0, 20.0), (100.0, 20.0)], [(5.0, 10.0), (5.0, 30.0)])
    """
    many, long = _numbers(learners), _numbers(seconds)
    if len(many) != len(long) and 1 not in (len(many), len(long)):
        raise TutorError(f"--learners has {len(many)} values and --seconds {len(long)}: give one --seconds for all "
                         "runs or one per run.")
    size = max(len(many), len(long))
    return list(zip(many * size if len(many) == 1 else many, long * size if len(long) == 1 else long))


def _numbers(text) -> list[float]:
    try:
        return [float(x) for x in str(text).split(",")]
    except ValueError:
        raise TutorError(f"--learners and --seconds take a number or numbers separated by commas; got {text!r}.") from None


def main(args, settings) -> int:
    if not args.url and not args.local:
        raise TutorError("Say where the tutor runs: --url http://127.0.0.1:8080 (a running deployment), or --local N "
                         "to start one here with N app processes.")
    if args.url and not args.local and not (args.database or getattr(settings, "database_url", "")):
        raise TutorError("Say which database the deployment at --url writes to, so its writes can be checked: "
                         "--database postgresql://... (or set TUTOR_DATABASE_URL).")
    results = run(args, settings)  # each run's figures are printed as it ends (one JSON line)
    ok = all(not r["errors"] and not r["database"]["problems"] and r.get("alerts_delivered_once", True)
             for r in results)
    return 0 if ok else 1


def add_parser(sub, settings_of) -> None:
    """``tutor loadtest``'s options (the CLI's sub-parsers)."""
    p = sub.add_parser("loadtest", help="simulated learners against a deployment; speed, errors, database check")
    p.add_argument("--url", help="a running deployment, e.g. http://127.0.0.1:8080 (the proxy)")
    p.add_argument("--local", type=int, metavar="N", help="start one here first: Postgres, Chroma, N processes, nginx")
    p.add_argument("--learners", default="10", help="how many; several runs: 20,50,100")
    p.add_argument("--seconds", default="20", help="how long every learner keeps going (per run: 60,60,300)")
    p.add_argument("--think", type=float, default=1.0, help="seconds a learner pauses between actions (on average)")
    p.add_argument("--database", help="the deployment's database URL to check (default: TUTOR_DATABASE_URL; "
                                      "required with --url when that is unset)")
    p.add_argument("--work", help="with --local: the folder for its logs and data (default: a temporary one)")
    p.set_defaults(func=lambda args: main(args, settings_of(args)))
