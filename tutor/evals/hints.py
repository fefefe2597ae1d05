"""The hints' eval: over every answerable case, ask the tutor, build the hints and count

- *available*: cases that got hints (an answered, on-question answer with a key span), and
- *leaked*: cases whose hint 1 or hint 2 contains one of the case's key facts (any ``|`` alternative), the key
  span, or the key span's number in the other form (digits <-> number words). Aim: leakage 0, available >= 90%.
- *leaked beyond the question*: the same, except a key fact the question itself states ("Why ... sixty times?"
  with the key fact "sixty"): the hint repeats the learner's own words there, it gives nothing away.

Only aggregate figures leave this module for gate cases (``case_ids`` of leaked cases is filled for dev only).
``tutor eval --hints [--split dev|gate|all] [--unit SLUG]`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..study.checking import normalise
from ..study.hints import Hints, hints_for, mentions
from .cases import case_sets


@dataclass
class HintCount:
    unit: str
    split: str
    cases: int = 0
    available: int = 0
    leaked: int = 0
    leaked_beyond: int = 0  # not counting key facts the question itself states
    case_ids: list[str] = field(default_factory=list)  # leaked dev cases (never gate ones)

    @property
    def available_share(self) -> float:
        return self.available / self.cases if self.cases else 0.0


def leaks(hints: Hints, key_facts: list[str], question: str = "") -> bool:
    """Whether hint 1 or 2 gives away a key fact, the key span or its number; with ``question``, key facts the
    question states do not count."""
    asked = f" {normalise(question)} "
    alternatives = [normalise(alt) for fact in key_facts for alt in fact.lower().split("|")]
    alternatives = [a for a in alternatives if a and f" {a} " not in asked]
    for text in hints.hint_texts():
        said = f" {normalise(text)} "
        if mentions(text, hints.key) or any(f" {a} " in said for a in alternatives):
            return True
    return False


def count(tutor, split: str = "all", unit: str | None = None) -> list[HintCount]:
    """One ``HintCount`` per unit and split, over the answerable cases."""
    out = []
    for cs in case_sets(split, unit):
        tally = HintCount(cs.unit, cs.split)
        for case in cs.cases:
            if case.kind != "answerable":
                continue
            tally.cases += 1
            answer = tutor.ask(case.question, case.history, unit=cs.unit)
            hints = hints_for(answer, case.question)
            if hints is None:
                continue
            tally.available += 1
            tally.leaked_beyond += leaks(hints, case.key_facts, case.question)
            if leaks(hints, case.key_facts):
                tally.leaked += 1
                if cs.split == "dev":
                    tally.case_ids.append(case.id)
        out.append(tally)
    return out


def table(counts: list[HintCount]) -> str:
    rows = ["| unit | split | answerable | hints available | leaked | leaked beyond the question |",
            "|---|---|---|---|---|---|"]
    for c in counts + [_total(counts)]:
        rows.append(f"| {c.unit} | {c.split} | {c.cases} | {c.available} ({c.available_share:.0%}) | {c.leaked} | "
                    f"{c.leaked_beyond} |")
    return "\n".join(rows)


def _total(counts: list[HintCount]) -> HintCount:
    total = HintCount("all", "/".join(sorted({c.split for c in counts})))
    for c in counts:
        total.cases, total.available, total.leaked = (total.cases + c.cases, total.available + c.available,
                                                      total.leaked + c.leaked)
        total.leaked_beyond += c.leaked_beyond
    return total


def main(args, settings) -> int:
    from ..pipeline import Tutor

    counts = count(Tutor(settings), args.split, args.unit)
    print(table(counts))
    leaked = sum(c.leaked for c in counts)
    print(f"answer leakage: {leaked} case{'s' * (leaked != 1)}; aim 0, and hints available on at least 90%")
    return 0
