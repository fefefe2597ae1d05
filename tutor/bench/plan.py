"""How much a bench run measures: the full plan, or the smoke plan ``make test`` runs."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError


@dataclass(frozen=True)
class Plan:
    sizes: tuple[int, ...]  # corpus sizes, in copies of the unit
    questions: int | None  # dev questions for retrieval and extractive answers (None: all)
    retrieval_repeats: int  # passes over the questions per size
    retrieval_budget_s: float  # per size
    local_questions: int  # questions for the local model (about 10 s each on 2 busy cores)
    local_budget_s: float
    levels: tuple[int, ...]  # concurrent learners
    per_client: int  # questions each learner asks at most
    level_s: float  # time limit per level
    cli_runs: int
    thorough: bool  # the slow extras: profiles of missed stages, three model probes, the one-thread app run
    edits: int = 5  # one-word edits of the unit's file, each ingested
    large_mb: float = 20.0  # the large plain-text file a fresh `tutor ingest` is given
    large_timeout_s: float = 3 * 3600
    encoder_size: int = 10  # the corpus (copies of the unit) the encoders ingest side by side
    encoder_rounds: int = 3  # ingests per encoder, in turns; the median is reported
    serving_questions: int = 5  # questions the serving-memory probe of each encoder answers


def plan_for(sizes: str, smoke: bool) -> Plan:
    if smoke:
        return Plan(sizes=(1,), questions=5, retrieval_repeats=1, retrieval_budget_s=30, local_questions=1,
                    local_budget_s=60, levels=(1, 2), per_client=2, level_s=20, cli_runs=2, thorough=False,
                    large_mb=0.2, large_timeout_s=300, encoder_size=1, encoder_rounds=1, serving_questions=1)
    try:
        parsed = tuple(sorted({int(s) for s in sizes.split(",") if s.strip()}))
    except ValueError:
        parsed = ()
    if not parsed or parsed[0] < 1:
        raise ConfigError(f"--sizes must be positive whole numbers separated by commas, e.g. 1,10,100. Currently {sizes!r}.")
    return Plan(sizes=parsed, questions=None, retrieval_repeats=1, retrieval_budget_s=150, local_questions=6,
                local_budget_s=120, levels=(1, 5, 20), per_client=47, level_s=40, cli_runs=5, thorough=True)
