"""Train the reader's span head: ``python -m tutor.training.spans [--test]``.

A linear layer over the reader's frozen last hidden states gives each token of the sentence a start and an end
logit (token classification over MiniLM); it is fitted with softmax cross-entropy on the reading dataset's keyed
answers that appear verbatim in a sentence, every book but the test book. Printed first: exact match of the best
span with the keyed answer, leaving out each book with enough spans; ``--test`` measures the test book once.
The head is written beside the reader (``span.json``, a few kilobytes). ``--choose`` then sets its threshold on
the development units: the lowest span probability at which the direct answers shown to their factoid-looking
questions hold a key fact at least ``PRECISION`` of the time.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..retrieval.reader import FOLDER, MAX_SPAN_TOKENS, SPAN_FILE, Reader, best_span, log_softmax
from ..text import fold
from .reader_data import DATASET, Grounded, load

SEED, STEPS, MIN_FOLD, PRECISION = 13, 300, 40, 0.9


def examples(reader: Reader, questions: list[Grounded]) -> list[dict]:
    """Per verbatim answer: the sentence tokens' hidden states and the answer's first and last token."""
    out = []
    for g in questions:
        for k, a, b in g.spans[:1]:
            sentence = g.section[k]
            e, states = reader.hidden(g.question, sentence)
            inside = [i for i, q in enumerate(e.sequence_ids) if q == 1]
            first = [n for n, i in enumerate(inside) if e.offsets[i][1] > a]
            last = [n for n, i in enumerate(inside) if e.offsets[i][0] < b]
            if first and last and first[0] <= last[-1] and last[-1] - first[0] < MAX_SPAN_TOKENS:
                out.append({"book": g.book, "states": states[inside], "start": first[0], "end": last[-1],
                            "answer": sentence[a:b], "offsets": [e.offsets[i] for i in inside], "sentence": sentence})
    return out


def fit(rows: list[dict], steps: int = STEPS) -> dict:
    """Start and end weights by full-batch Adam on the padded hidden states (fixed seed: the same rows give the
    same head)."""
    import torch

    torch.manual_seed(SEED)
    width, dim = max(len(r["states"]) for r in rows), rows[0]["states"].shape[1]
    states, mask = torch.zeros((len(rows), width, dim)), torch.zeros((len(rows), width), dtype=torch.bool)
    for k, r in enumerate(rows):
        states[k, :len(r["states"])], mask[k, :len(r["states"])] = torch.tensor(r["states"]), True
    targets = torch.tensor([[r["start"], r["end"]] for r in rows])
    head = torch.nn.Linear(dim, 2)
    optimiser = torch.optim.Adam(head.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(steps):
        logits = head(states).masked_fill(~mask[..., None], -1e9)  # rows x tokens x (start, end)
        loss = sum(torch.nn.functional.cross_entropy(logits[..., k], targets[:, k]) for k in (0, 1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    w, bias = head.weight.detach().numpy(), head.bias.detach().numpy()
    return {"start": w[0].tolist(), "start_bias": float(bias[0]), "end": w[1].tolist(), "end_bias": float(bias[1])}


def exact(head: dict, rows: list[dict]) -> float:
    """Share of rows whose best span is the keyed answer (case and spacing folded)."""
    hits = []
    for r in rows:
        start, end = (log_softmax(r["states"] @ np.asarray(head[k]) + head[k + "_bias"]) for k in ("start", "end"))
        i, j = best_span(start, end, MAX_SPAN_TOKENS)
        found = r["sentence"][r["offsets"][i][0]:r["offsets"][j][1]]
        hits.append(" ".join(fold(found).split()) == " ".join(fold(r["answer"]).split()))
    return float(np.mean(hits)) if hits else 0.0


def dev_spans(resources) -> list[tuple[float, bool]]:
    """(probability, holds a key fact) of the direct answer the head would give each development question."""
    from ..answering.span import ReaderSpan
    from ..evals.cases import case_sets
    from ..evals.metrics import has_fact
    from ..question import Asked
    from ..reading import read
    from ..text.kinds import is_factoid

    span, ranker, out = ReaderSpan(resources.reader(), 0.0), resources.ranker(), []
    for cases in case_sets("dev"):
        for case in (c for c in cases.cases if c.kind == "answerable" and is_factoid(c.question)):
            reading = read(resources, Asked(case.question, tuple(case.history), cases.unit))
            shown = {s.text for s in ranker.choose(reading.ranked)}
            best = [s.text for s in reading.ranked[:2] if s.text in shown]
            question = reading.query.text if case.history else case.question
            found = span.candidates(question, best)[:1]
            out += [(p, any(has_fact(words, f) for f in case.key_facts)) for words, _, p in found]
    return out


def choose(scored: list[tuple[float, bool]], precision: float = PRECISION) -> float:
    """The lowest threshold whose shown answers (at least five) are right at least ``precision`` of the time.

    >>> choose([(0.9, True)] * 5 + [(0.4, False)] + [(0.3, True)] * 4, 0.9)
    0.3
    """
    best = 1.0
    for t in sorted({p for p, _ in scored}, reverse=True):
        shown = [ok for p, ok in scored if p >= t]
        if len(shown) >= 5 and sum(shown) / len(shown) >= precision:
            best = t
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.training.spans", description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=FOLDER, help="the reader's folder (the head is written there)")
    parser.add_argument("--test", action="store_true", help="measure the test book once with the written head")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="course units to keep out")
    parser.add_argument("--choose", action="store_true", help="set the threshold on the development units")
    args = parser.parse_args(argv)
    if args.choose:
        from ..resources import Resources
        from ..settings import Settings

        scored = dev_spans(Resources(Settings.from_env()))
        path = args.folder / SPAN_FILE
        head = {**json.loads(path.read_text(encoding="utf-8")), "threshold": choose(scored)}
        path.write_text(json.dumps(head) + "\n", encoding="utf-8")
        shown = [ok for p, ok in scored if p >= head["threshold"]]
        print(f"threshold {head['threshold']:.3f}: {len(shown)} of {len(scored)} spans shown, "
              f"{sum(shown)} right; wrote {path}")
        return 0
    reader, questions = Reader.load(args.folder), load(DATASET, args.corpus)
    if args.test:
        rows = examples(reader, [g for g in questions if g.split == "test"])
        head = json.loads((args.folder / SPAN_FILE).read_text(encoding="utf-8"))
        print(f"test book: exact match {exact(head, rows):.3f} on {len(rows)} answers")
        return 0
    rows = examples(reader, [g for g in questions if g.split != "test"])
    for book in sorted({r["book"] for r in rows}):
        held = [r for r in rows if r["book"] == book]
        if len(held) >= MIN_FOLD:
            print(f"{book}: exact match {exact(fit([r for r in rows if r['book'] != book]), held):.3f} "
                  f"on {len(held)} answers held out")
    head = fit(rows)
    (args.folder / SPAN_FILE).write_text(json.dumps(head) + "\n", encoding="utf-8")
    print(f"{len(rows)} answers; in-sample exact match {exact(head, rows):.3f}; wrote {args.folder / SPAN_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
