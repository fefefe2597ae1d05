"""The safeguarding classifier measured on a split, as issue 26 asks: disclosures signposted first (any level) and
given the full message, study and everyday messages given any signposting or the full message, and precision and
recall of the alert (a disclosure or concern level) per category and per register.

    python -m tutor.guards.safeguarding_report [--split dev] [--model FILE]...

Several ``--model`` files are measured on the same messages and printed side by side.

The test split is read only with ``--split test``, once, after the model is chosen.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from .safeguarding import CONCERN, DISCLOSURE, LEVELS, MODEL_FILE, NONE, load_classifier
from .safeguarding_data import CONTRAST_DIR, DATA_DIR, all_splits
from .train_safeguarding import figures


def share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def headline(rows: list[dict], found: list) -> dict:
    """The aims' figures: over disclosures, signposted first at any level (an alert) and the full message; over
    study and everyday messages (label none), any signposting and the full message; immediate ones led by 999."""
    disclosures = [a for r, a in zip(rows, found) if r["label"] == DISCLOSURE]
    concerns = [a for r, a in zip(rows, found) if r["label"] == CONCERN]
    study = [a for r, a in zip(rows, found) if r["label"] == NONE]
    now = [a for r, a in zip(rows, found) if r["label"] == DISCLOSURE and r.get("immediate")]
    return {"messages": len(rows), "disclosures": len(disclosures),
            "disclosure_recall": share([a.level != NONE for a in disclosures]),
            "disclosure_full_message": share([a.level == DISCLOSURE for a in disclosures]),
            "concern_recall": share([a.level != NONE for a in concerns]),
            "study": len(study), "study_any_signposting": share([a.level != NONE for a in study]),
            "study_full_message": share([a.level == DISCLOSURE for a in study]),
            "immediate": len(now), "immediate_led_by_emergency": share([a.immediate for a in now])}


def by_group(rows: list[dict], found: list, key: str) -> dict[str, dict]:
    """Per value of ``key`` (category, register): the alert's precision and recall (alert: disclosure or concern
    level; positive: a disclosure or concern label), with the counts."""
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for r, a in zip(rows, found):
        groups[str(r.get(key) or "-")].append((r["label"] != NONE, a.level != NONE))
    out = {}
    for name, pairs in sorted(groups.items()):
        tp = sum(t and p for t, p in pairs)
        flagged, positive = sum(p for _, p in pairs), sum(t for t, _ in pairs)
        out[name] = {"messages": len(pairs), "positive": positive, "alerts": flagged,
                     "precision": round(tp / flagged, 3) if flagged else None,
                     "recall": round(tp / positive, 3) if positive else None}
    return out


def report(split: str = "dev", model_file: Path = MODEL_FILE, data_dir: Path = DATA_DIR,
           contrast: Path | None = CONTRAST_DIR) -> dict:
    rows = all_splits(data_dir, contrast)[split]
    found = load_classifier(model_file).assess([r["text"] for r in rows])
    return {"split": split, "headline": headline(rows, found), "category": by_group(rows, found, "category"),
            "register": by_group(rows, found, "register")}


def markdown(result: dict) -> str:
    lines = [f"**{result['split']} split**: " + ", ".join(f"{k} {v}" for k, v in result["headline"].items()), ""]
    for key in ("category", "register"):
        lines += [f"| {key} | messages | disclosures and concerns | alerts | precision | recall |", "|---|---|---|---|---|---|"]
        lines += [f"| {name} | {g['messages']} | {g['positive']} | {g['alerts']} | {g['precision']} | {g['recall']} |"
                  for name, g in result[key].items()]
        lines.append("")
    return "\n".join(lines)


def shown(value) -> str:
    return "-" if value is None else str(value)


def row(cells) -> str:
    return "| " + " | ".join(map(shown, cells)) + " |"


def side_by_side(results: dict[str, dict]) -> str:
    """Several classifiers' reports on one split, one column each: the headline figures, then per category and per
    register the alerts raised and their precision / recall."""
    names, first = list(results), next(iter(results.values()))
    lines = [f"**{first['split']} split**", "", row(["figure", *names]), row(["---"] * (len(names) + 1))]
    lines += [row([k, *(results[n]["headline"][k] for n in names)]) for k in first["headline"]]
    for key in ("category", "register"):
        lines += ["", row([key, "messages", "disclosures and concerns",
                           *(f"{n}: alerts, precision / recall" for n in names)]),
                  row(["---"] * (len(names) + 3))]
        for group, g in first[key].items():
            found = [results[n][key][group] for n in names]
            lines.append(row([group, g["messages"], g["positive"],
                              *(f"{f['alerts']}, {shown(f['precision'])} / {shown(f['recall'])}" for f in found)]))
    return "\n".join(lines) + "\n"


def evaluation_report(split_name: str = "test", model_file: Path = MODEL_FILE, data_dir: Path = DATA_DIR,
                      contrast: Path | None = CONTRAST_DIR) -> tuple[dict, str]:
    """The shipped classifier on one split (test by default): its figures, and as Markdown with the confusion."""
    model, rows = load_classifier(model_file), all_splits(data_dir, contrast)[split_name]
    figs = figures(rows, [found.level for found in model.assess([r["text"] for r in rows])])
    head = (f"**Safeguarding classifier, {split_name} split** ({figs['messages']} messages): recall "
            f"{figs['recall']:.3f} (disclosure or concern caught), emergency message on study questions "
            f"{figs['emergency_false_alarm']:.1%}, concern note on study questions "
            f"{figs['concern_notes_on_none']:.1%}, disclosures signposted first {figs['disclosures_first']:.1%}.\n\n"
            "| category | true label | none | concern | disclosure |\n|---|---|---|---|---|")
    rows = [f"| {c} | {label} | " + " | ".join(str(n[lv]) for lv in LEVELS) + " |"
            for c, by_label in figs["confusion"].items() for label, n in by_label.items()]
    return figs, "\n".join([head, *rows])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.guards.safeguarding_report", description=__doc__.split("\n")[0])
    parser.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    parser.add_argument("--model", type=Path, action="append", default=[], help="an artefact (repeatable; "
                        "default: the shipped one)")
    args = parser.parse_args(argv)
    models = args.model or [MODEL_FILE]
    results = {str(m): report(args.split, m) for m in models}
    print(markdown(results[str(models[0])]) if len(models) == 1 else side_by_side(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
