"""The eval report: a table per unit on stdout, and in the report folder ``summary.json``, ``report.md`` (with a
chart) and, for development splits only, ``answers.jsonl`` and the failed cases."""

from __future__ import annotations

import json
from pathlib import Path

SHOWN = ["hit@1", "hit@3", "hit@5", "mrr", "ndcg@5", "key_fact_coverage", "direct_answer_rate", "direct_precision",
         "citation_gold_precision",
         "citation_recall", "citation_precision", "decline_accuracy", "near_miss_decline", "answered_out_of_scope",
         "answered_as_if_out_of_scope", "answered_as_closest_out_of_scope", "far_decline", "answerable_as_closest",
         "adversarial_pass", "safeguarding_recall", "signposted_first", "concern_notes", "safeguarding_false_alarms",
         "latency_p50_ms", "latency_p95_ms"]
COMPARED = ["hit@3", "mrr", "key_fact_coverage", "direct_answer_rate", "direct_precision", "citation_gold_precision",
            "decline_accuracy", "near_miss_decline", "answered_as_if_out_of_scope", "far_decline",
            "adversarial_pass", "safeguarding_false_alarms", "latency_p95_ms"]


def fmt(v) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if isinstance(v, float) and v <= 1.0 else str(v)


def _name(run) -> str:
    return f"{run.cases.unit} ({run.cases.split})"


def print_table(runs, overall: dict, thresholds: dict) -> None:
    """Metrics down, units across; a value below its unit's floor is marked with *."""
    names = [_name(r) for r in runs] + ["overall"]
    blocks = [r.summary["overall"] for r in runs] + [overall["overall"]]
    floors = [thresholds.get("units", {}).get(r.cases.unit, {}) for r in runs] + [thresholds.get("overall", {})]
    width = max(12, *(len(n) for n in names))
    print(f"{'metric':26}" + "".join(f" {n:>{width}}" for n in names))
    for key in SHOWN:
        cells = []
        for block, floor in zip(blocks, floors):
            value, low, high = block.get(key), floor.get(key), floor.get("max_" + key)
            missed = value is not None and ((low is not None and value < low) or (high is not None and value > high))
            cells.append(fmt(value) + ("*" if missed else ""))
        print(f"{key:26}" + "".join(f" {c:>{width}}" for c in cells))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _chart(path: Path, runs, overall: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k in COMPARED if isinstance(overall["overall"].get(k), float) and overall["overall"][k] <= 1.0]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(1, len(runs))
    for i, run in enumerate(runs):
        values = [run.summary["overall"].get(k) or 0.0 for k in keys]
        ax.barh([j + i * width for j in range(len(keys))], values, height=width, label=_name(run))
    ax.set_yticks([j + 0.4 - width / 2 for j in range(len(keys))], keys)
    ax.set_xlim(0, 1.0)
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Tutor eval by unit")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _comparison(runs) -> list[str]:
    lines = []
    for run in (r for r in runs if r.comparison):
        lines += ["", f"### {_name(run)}: side by side (same cases, one run)", ""]
        lines += _table(["configuration"] + COMPARED,
                        [[label] + [fmt(o.get(k)) for k in COMPARED] for label, o in run.comparison.items()])
    return (["", "## Compared with the naive baseline and other configurations"] + lines) if lines else []


def _failures(runs) -> list[str]:
    """Failed cases of development splits; gate cases are never listed one by one."""
    lines = []
    cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")[:300]
    for run in runs:
        if run.cases.split == "gate":
            failed = sum(1 for r in run.results if r["failures"])
            lines += ["", f"{_name(run)}: {failed} of {len(run.results)} cases failed (gate cases are not listed)."]
            continue
        rows = [[c.id, c.kind, cell(c.question), cell(a.get("answer", "")), cell("; ".join(r["failures"]))]
                for c, a, r in zip(run.cases.cases, run.answers, run.results) if r["failures"]]
        lines += ["", f"### {_name(run)}: failed cases ({len(rows)})", ""]
        lines += _table(["id", "kind", "question", "answer", "what was missing"], rows)
    return ["", "## Failed cases"] + lines


def write_report(out: Path, runs, overall: dict, meta: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    summary = {**{k: v for k, v in meta.items() if k != "safeguarding_md"}, "overall": overall["overall"],
               "units": {_name(r): r.summary["overall"] for r in runs},
               "comparison": {_name(r): r.comparison for r in runs if r.comparison}}
    (out / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    with open(out / "answers.jsonl", "w", encoding="utf-8") as fh:
        for run in (r for r in runs if r.cases.split != "gate"):
            for a in run.answers:
                fh.write(json.dumps({"unit": run.cases.unit, **a}, ensure_ascii=False) + "\n")
    _chart(out / "metrics.png", runs, overall)
    names = [_name(r) for r in runs]
    lines = ["# Tutor eval report", "", f"Backend chain `{meta['backend']}`; {meta['seconds']} s.", "",
             "![metrics](metrics.png)", ""]
    lines += _table(["metric"] + names + ["overall"], [[k] + [fmt(r.summary["overall"].get(k)) for r in runs]
                                                       + [fmt(overall["overall"].get(k))] for k in SHOWN])
    if meta["gate"]["missed"]:
        lines += ["", "**Gate failed:** " + "; ".join(meta["gate"]["missed"])]
    lines += ["", "## Safeguarding", "", meta["safeguarding_md"]] if meta.get("safeguarding_md") else []
    lines += _comparison(runs) + _failures(runs)
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
