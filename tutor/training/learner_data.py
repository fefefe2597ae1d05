"""The learner-question dataset: writers' rows checked and merged, the second pass's agreement, the split by book.

    python -m tutor.training.learner_data build [--written DIR] [--relabelled DIR] [--out datasets/learner-questions]
    python -m tutor.training.learner_data sample --out DIR        # the rows the second pass re-labels (10%)

``build`` reads one file per passage from ``--written`` (``NNN.jsonl``, NNN the passage's line in
``sections.jsonl``, as the writers' instructions say), checks every row (a known kind, sentence numbers inside the
passage, answers for answerable kinds and none for near misses and far questions, a span found verbatim in an
answering sentence: a span that is not is dropped, the row kept), and writes ``questions.jsonl`` with the book's
split. With ``--relabelled`` (the second pass's rows for the sample), each sampled row is compared with its
re-labelling: answerable or not, and for answerable rows whether the two answer sets share a sentence. Rows the
second pass disputes are dropped; the agreement goes into ``agreement.json`` and the README.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from tutor.training import learner_readme as readme
from tutor.training.harvest import write_jsonl

KINDS = ("factoid", "definition", "why", "how", "compare", "list", "follow_up", "paraphrase", "typo", "near_miss",
         "far")
UNANSWERABLE = ("near_miss", "far")
SAMPLE_SHARE = 0.10


def load_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def check_row(raw: dict, sentences: list[str]) -> tuple[dict | None, str]:
    """The row as stored, or None with why it was dropped; a span not in its answers is dropped alone ("span")."""
    kind, answers = raw.get("kind"), raw.get("answers") or []
    question = str(raw.get("question") or "").strip()
    if kind not in KINDS:
        return None, "unknown kind"
    if not question:
        return None, "no question"
    if not all(isinstance(a, int) and 0 <= a < len(sentences) for a in answers):
        return None, "sentence number outside the passage"
    if (kind in UNANSWERABLE) == bool(answers):
        return None, "answers do not fit the kind"
    if kind == "follow_up" and not raw.get("history"):
        return None, "follow-up without history"
    note, span = "", raw.get("span") or None
    if span and not any(span in sentences[a] for a in answers):
        span, note = None, "span"
    return {"question": question, "history": [str(h) for h in raw.get("history") or []], "kind": kind,
            "answers": sorted(set(answers)), "span": span, "missing": raw.get("missing") if kind == "near_miss" else None,
            "answerable": kind not in UNANSWERABLE}, note


def merge(sections: list[dict], written: Path) -> tuple[list[dict], Counter]:
    """Every checked row of every written passage, with its id, book, split and section; a row sharing eight words
    in a row with an evaluation case is dropped (writers hit common wordings a case used too)."""
    from ..evals.cases import eval_phrases, ngrams

    rows, dropped, phrases = [], Counter(), eval_phrases()
    for n, section in enumerate(sections):
        path = Path(written) / f"{n:03d}.jsonl"
        if not path.is_file():
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            try:
                raw = json.loads(line)
            except json.JSONDecodeError:
                dropped["not JSON"] += bool(line.strip())
                continue
            row, why = check_row(raw, section["sentences"])
            if row is not None and ngrams(" ".join([*row["history"], row["question"]])) & phrases:
                row, why = None, "shares eight words with an evaluation case"
            if row is None:
                dropped[why] += 1
                continue
            dropped["spans dropped (kept the row)"] += why == "span"
            rows.append({"id": f"{section['section_id']}/q{i:02d}", "book": section["book"], "split": section["split"],
                         "section_id": section["section_id"], **row})
    return rows, dropped


def in_sample(row_id: str, share: float = SAMPLE_SHARE) -> bool:
    """The second pass's random sample: a fixed share of rows chosen by the sha256 of their id."""
    return int(hashlib.sha256(row_id.encode()).hexdigest()[:8], 16) < share * 2 ** 32


def agreement(rows: list[dict], relabelled: dict[str, dict]) -> tuple[dict, set[str]]:
    """The two passes compared on the sampled rows: answerable or not (share and Cohen's kappa), and for rows both
    call answerable, whether the answer sets share a sentence and their mean Jaccard. Disputed: either differs."""
    pairs = [(r, relabelled[r["id"]]) for r in rows if r["id"] in relabelled]
    if not pairs:
        return {}, set()
    a = [r["answerable"] for r, _ in pairs]
    b = [bool(x.get("answers")) for _, x in pairs]
    same = sum(x == y for x, y in zip(a, b)) / len(pairs)
    pa, pb = sum(a) / len(a), sum(b) / len(b)
    chance = pa * pb + (1 - pa) * (1 - pb)
    both = [(set(r["answers"]), set(x["answers"])) for r, x in pairs if r["answerable"] and x.get("answers")]
    overlap = [bool(p & q) for p, q in both]
    disputed = {r["id"] for r, x in pairs
                if r["answerable"] != bool(x.get("answers")) or (r["answerable"] and not set(r["answers"]) & set(x["answers"]))}
    return {"sampled": len(pairs), "answerable_agreement": round(same, 4),
            "answerable_kappa": round((same - chance) / (1 - chance), 4) if chance < 1 else 1.0,
            "both_answerable": len(both), "share_a_sentence": round(sum(overlap) / len(both), 4) if both else None,
            "mean_jaccard": round(sum(len(p & q) / len(p | q) for p, q in both) / len(both), 4) if both else None,
            "disputed": len(disputed)}, disputed


def relabelled_rows(folder: Path | None) -> dict[str, dict]:
    if folder is None:
        return {}
    found = {}
    for path in sorted(Path(folder).glob("*.jsonl")):
        for row in load_jsonl(path):
            found[row["id"]] = {"answers": [a for a in row.get("answers") or [] if isinstance(a, int)]}
    return found


def sample_for_relabelling(sections: list[dict], rows: list[dict], out: Path) -> int:
    """One file per passage with the sampled rows' questions (no labels), for the second pass."""
    out.mkdir(parents=True, exist_ok=True)
    index = {s["section_id"]: n for n, s in enumerate(sections)}
    by_passage: dict[int, list[dict]] = {}
    for r in rows:
        if in_sample(r["id"]):
            by_passage.setdefault(index[r["section_id"]], []).append({"id": r["id"], "question": r["question"],
                                                                      "history": r["history"]})
    for n, items in sorted(by_passage.items()):
        write_jsonl(out / f"{n:03d}.jsonl", items)
    return sum(map(len, by_passage.values()))


def build(out: Path, written: Path, relabelled: Path | None) -> dict:
    sections = load_jsonl(out / "sections.jsonl")
    rows, dropped = merge(sections, written)
    stats, disputed = agreement(rows, relabelled_rows(relabelled))
    kept = [r for r in rows if r["id"] not in disputed]
    write_jsonl(out / "questions.jsonl", kept)
    summary = {"written": len(rows) + sum(v for k, v in dropped.items() if not k.startswith("spans")),
               "dropped": dict(dropped), "agreement": stats, "kept": len(kept),
               "kinds": dict(Counter(r["kind"] for r in kept)), "books": len({r["book"] for r in kept}),
               "sections": len({r["section_id"] for r in kept})}
    (out / "agreement.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    readme.write(out, kept, summary, KINDS)
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["build", "sample"])
    ap.add_argument("--out", type=Path, default=Path("datasets/learner-questions"))
    ap.add_argument("--written", type=Path, help="the writers' files, one per passage (default OUT/written)")
    ap.add_argument("--relabelled", type=Path, help="the second pass's files (default OUT/second-pass)")
    ap.add_argument("--sample-out", type=Path, help="sample: where the second pass's question files go")
    a = ap.parse_args(argv)
    if a.command == "sample":
        sections, rows = load_jsonl(a.out / "sections.jsonl"), load_jsonl(a.out / "questions.jsonl")
        print(f"{sample_for_relabelling(sections, rows, a.sample_out)} questions to re-label in {a.sample_out}")
        return 0
    summary = build(a.out, a.written or a.out / "written", a.relabelled or a.out / "second-pass")
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
