"""The eval report: a short table on stdout, and report.md with a chart a tutor can read at a glance."""

from __future__ import annotations

from pathlib import Path

SHOWN = ["hit@1", "hit@3", "hit@5", "mrr", "ndcg@5", "key_fact_coverage", "citation_gold_precision",
         "citation_recall", "citation_precision", "decline_accuracy", "adversarial_pass", "safeguarding_recall",
         "safeguarding_false_alarms", "latency_p50_ms", "latency_p95_ms"]


def _fmt(v) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if isinstance(v, float) and v <= 1.0 else str(v)


def print_table(summary: dict, thresholds: dict) -> None:
    o = summary["overall"]
    print(f"{'metric':28} {'value':>9} {'gate':>9}")
    for key in SHOWN:
        limit = thresholds.get(key, thresholds.get("max_" + key))
        mark = "" if limit is None else (f"<= {limit}" if "max_" + key in thresholds else f">= {limit}")
        print(f"{key:28} {_fmt(o.get(key)):>9} {mark:>9}")


def _chart(path: Path, summary: dict, thresholds: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k in SHOWN if isinstance(summary["overall"].get(k), float) and summary["overall"][k] <= 1.0]
    values = [summary["overall"][k] for k in keys]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    colours = ["#2e7d32" if thresholds.get(k) is None or v >= thresholds[k] else "#c62828" for k, v in zip(keys, values)]
    ax.barh(keys[::-1], values[::-1], color=colours[::-1])
    for i, k in enumerate(keys[::-1]):
        if k in thresholds:
            ax.plot([thresholds[k]] * 2, [i - 0.4, i + 0.4], color="black", linewidth=2)
    ax.set_xlim(0, 1.0)
    ax.set_title("Tutor eval (bars: measured; black ticks: gate)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(out: Path, cases, answers, results, summary: dict, comparison: list) -> None:
    thresholds = summary["gate"]["thresholds"]
    _chart(out / "metrics.png", summary, thresholds)
    lines = ["# Tutor eval report", "", f"Cases: `{summary['cases_file']}` ({summary['overall']['cases']}); "
             f"backend chain: `{summary['backend']}`; {summary['seconds']} s.", "", "![metrics](metrics.png)", "",
             "| metric | overall | " + " | ".join(summary["by_kind"]) + " | gate |",
             "|---|---|" + "---|" * len(summary["by_kind"]) + "---|"]
    for key in SHOWN:
        row = [_fmt(summary["overall"].get(key))] + [_fmt(b.get(key)) for b in summary["by_kind"].values()]
        limit = thresholds.get(key, thresholds.get("max_" + key, ""))
        lines.append(f"| {key} | " + " | ".join(row) + f" | {limit} |")
    if summary["gate"]["missed"]:
        lines += ["", "**Gate failed:** " + "; ".join(summary["gate"]["missed"])]
    if comparison:
        keys = ["hit@3", "mrr", "key_fact_coverage", "citation_gold_precision", "citation_precision",
                "decline_accuracy", "adversarial_pass", "latency_p50_ms", "latency_p95_ms"]
        lines += ["", "## Side by side (same cases, one run)", "", "| configuration | " + " | ".join(keys) + " |",
                  "|---|" + "---|" * len(keys)]
        for label, o in comparison:
            lines.append(f"| {label} | " + " | ".join(_fmt(o.get(k)) for k in keys) + " |")
    failed = [(c, a, r) for c, a, r in zip(cases, answers, results) if r["failures"]]
    lines += ["", f"## Failed cases ({len(failed)})", "", "| id | kind | question | answer | what was missing |",
              "|---|---|---|---|---|"]
    for c, a, r in failed:
        cell = lambda s: str(s).replace("|", "\\|").replace("\n", " ")[:300]
        lines.append(f"| {c['id']} | {c['kind']} | {cell(c['question'])} | {cell(a.get('answer', ''))} | "
                     f"{cell('; '.join(r['failures']))} |")
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
