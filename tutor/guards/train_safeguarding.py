"""Train the safeguarding classifier (``models/safeguarding.json``) from ``evals/safeguarding/messages.jsonl``.

Run: ``python -m tutor.guards.train_safeguarding [--data DIR] [--out FILE]`` (deterministic: the same data gives
the same file). It prints the development figures of each variant and the thresholds (the test split is read by
``safeguarding_report --split test``, once).
The defaults build the shipped classifier (the frozen MiniLM, ``evals/safeguarding``); issue 26's candidate adds the
contrast messages over the fine-tuned encoder: ``--contrast datasets/safeguarding-contrast --encoder safeguarding
--out FILE`` (README, "Safeguarding a DSL can trust": measured, not shipped; a candidate must name its file).
``--like FILE`` refits an artefact's own choice (a joined one: ``join --like``).

The procedure (split, variants, thresholds, choice, test) is written out in ``evals/safeguarding/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..artefacts import dump, fingerprint
from .safeguarding_data import (CONTRAST_DIR, DATA_DIR, SEED, all_splits, load_splits, read_jsonl,  # noqa: F401
                                split)
from .safeguarding import (ANALYZERS, CONCERN, DISCLOSURE, EMBEDDING, LEVELS, MODEL_FILE, NONE, REBUILD, TFIDF,
                           Classifier, Tfidf, clean, embed, encoder_label, harm_logit, load_classifier, message_parts,
                           stack)
from .cutoffs import in_parts, most_serious, study_questions, thresholds  # noqa: F401 - tests read them here
from .train_heads import fit_heads

CS = [1.0, 3.0, 10.0, 30.0, 100.0]  # the C values cross-validated on train (above 100 never chosen; each fit ran to thousands of iterations)
MIN_DF = 5  # n-grams in at least 5 train messages (59 classes since the contrast data: a 12 MB artefact; 40 would make it 2.6 MB but, on dev, signposted 73% of disclosures first instead of 82%)
VARIANTS = {EMBEDDING: ((EMBEDDING, 1.0),), TFIDF: ((TFIDF, 1.0),), "both": ((EMBEDDING, 1.0), (TFIDF, 1.0))}
AVERAGE = "average"  # the mean of the calibrated embedding and tfidf probabilities
PART_EXAMPLES = True  # train on study questions' parts too (part_examples); chosen on dev (evals/safeguarding)


def fit_tfidf(rows: list[dict]) -> dict:
    """The vocabulary (n-grams in at least MIN_DF messages) and idf weights of each analyzer, fitted on rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    fitted = {a: TfidfVectorizer(analyzer=a, ngram_range=n, min_df=MIN_DF, sublinear_tf=True).fit(
        [clean(r["text"]) for r in rows]) for a, n in ANALYZERS.items()}
    return {a: {"terms": v.get_feature_names_out().tolist(), "idf": np.round(v.idf_, 6).tolist()}
            for a, v in fitted.items()}


def features(rows: list[dict], vectors: np.ndarray, tfidf: dict) -> dict[str, np.ndarray]:
    return {EMBEDDING: vectors, TFIDF: Tfidf.from_dict(tfidf).transform([r["text"] for r in rows])}


def fold_features(rows: list[dict], vectors: np.ndarray, targets: np.ndarray) -> list[tuple]:
    """Five folds of train (stratified; a message and its parts in the same fold): the indices and features of
    both sides, TF-IDF fitted on the whole messages of the first."""
    from sklearn.model_selection import StratifiedGroupKFold

    with warnings.catch_warnings():  # the smallest strata have fewer members than folds
        warnings.simplefilter("ignore", UserWarning)
        folds = list(StratifiedGroupKFold(5, shuffle=True, random_state=SEED).split(
            vectors, targets, [r.get("of", r["id"]) for r in rows]))
    tfidfs = [fit_tfidf([rows[i] for i in a if "of" not in rows[i]]) for a, _ in folds]
    return [(a, b, *(features([rows[i] for i in side], vectors[side], tfidf) for side in (a, b)))
            for (a, b), tfidf in zip(folds, tfidfs)]


def fit(blocks: tuple, targets: np.ndarray, folds: list[tuple], found: dict, cs: list[float] = CS) -> dict:
    """A logistic regression on train (coefficients to 4 decimals), C among ``cs`` by 5-fold cross-validation (log
    loss), with the Platt scaling of its harm logit fitted on the out-of-fold logits at that C."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    labels, loss, oof = np.array(sorted(set(targets))), dict.fromkeys(cs, 0.0), {c: np.zeros(len(targets)) for c in cs}
    dense = all(name == EMBEDDING for name, _ in blocks)  # else mostly zeros: sparse is many times faster
    for a, b, train_side, held_out in folds:
        x, held = (stack(blocks, side) if dense else sparse.csr_matrix(stack(blocks, side))
                   for side in (train_side, held_out))
        for c in cs:
            model = LogisticRegression(C=c, max_iter=10_000).fit(x, targets[a])
            proba = np.full((len(b), len(labels)), 1e-15)  # a class may have no member on this fold's train side
            proba[:, np.searchsorted(labels, model.classes_)] = model.predict_proba(held)
            loss[c] += log_loss(targets[b], proba / proba.sum(axis=1, keepdims=True), labels=labels)
            print(f"  C {c}: fold log loss {loss[c]:.4f} so far", file=sys.stderr, flush=True)
            harm = np.array([k.split(":")[0] != NONE for k in model.classes_])
            oof[c][b] = harm_logit(model.decision_function(held), harm)
    best = min(cs, key=loss.get)
    whole = stack(blocks, found)
    model = LogisticRegression(C=best, max_iter=10_000).fit(whole if dense else sparse.csr_matrix(whole), targets)
    platt = LogisticRegression().fit(oof[best][:, None], [t.split(":")[0] != NONE for t in targets])
    return {"blocks": [list(b) for b in blocks], "C": best, "classes": [str(c) for c in model.classes_],
            "calibration": np.round([platt.coef_[0, 0], platt.intercept_[0]], 6).tolist(),
            "intercept": np.round(model.intercept_, 4).tolist(), "coef": np.round(model.coef_, 4).tolist()}


def figures(rows: list[dict], levels: list[str]) -> dict:
    """Recall (disclosure or concern labels reaching either level), false emergency messages and concern notes
    on none labels, disclosures signposted first, and the confusion per category (true label x level)."""
    def share(label_in, level_in) -> float:
        picked = [lv for r, lv in zip(rows, levels) if r["label"] in label_in]
        return round(sum(lv in level_in for lv in picked) / len(picked), 4) if picked else 0.0

    confusion: dict = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(LEVELS, 0)))
    for row, level in zip(rows, levels):
        confusion[row["category"]][row["label"]][level] += 1
    return {"messages": len(rows), "recall": share((DISCLOSURE, CONCERN), (DISCLOSURE, CONCERN)),
            "emergency_false_alarm": share((NONE,), (DISCLOSURE,)), "concern_notes_on_none": share((NONE,), (CONCERN,)),
            "disclosures_first": share((DISCLOSURE,), (DISCLOSURE,)),
            "confusion": {c: dict(sorted(v.items())) for c, v in sorted(confusion.items())}}


def part_examples(rows: list[dict]) -> list[dict]:
    """The sentences and clauses of study questions (label none), as more none examples: the product reads every
    part, so a study question's parts must not read as a disclosure alone. A disclosure's parts are not added
    (which of them discloses is not labelled). ``of`` names the message (it keeps a fold together)."""
    if not PART_EXAMPLES:
        return []
    return [{"id": f"{r['id']}/{i}", "of": r["id"], "text": p, "label": NONE, "category": r["category"]}
            for r in rows if r["label"] == NONE for i, p in enumerate(message_parts(r["text"])[1:], 1)]


def tune(model: dict, rows: list[dict], found: dict[str, np.ndarray], target_recall: float,
         max_false_alarm: float, study: dict | None = None, notes: float | None = None) -> dict:
    """A candidate's thresholds chosen on dev (written into ``model``) and its dev figures, both on the score the
    product uses: the most serious part of each message (``found`` holds the features of every part; ``study``,
    the development units' study questions' parts, per unit: (features, parts per question))."""
    scorer = Classifier.from_dict({**model, "thresholds": {CONCERN: 0.0, DISCLOSURE: 1.0}})
    scores = most_serious(scorer.scores(found), [len(message_parts(r["text"])) for r in rows])
    units = {u: most_serious(scorer.scores(f), sizes) for u, (f, sizes) in (study or {}).items()}
    model["thresholds"] = thresholds(scores, [r["label"] for r in rows], target_recall, max_false_alarm,
                                     list(units.values()), notes)
    level = Classifier.from_dict(model).level
    figs = figures(rows, [level(float(s)) for s in scores])
    del figs["confusion"]
    notes_per_unit = {u: round(float(np.mean([level(float(s)) != NONE for s in v])), 4) for u, v in units.items()}
    return figs | {"C": [p["C"] for p in model["parts"]], "thresholds": model["thresholds"]} | (
        {"study_notes": notes_per_unit} if units else {})


def chosen(like: dict | None, variants: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """The variants to fit and the C values to cross-validate for each feature block set: all of them (or those
    named), or (``like``, an artefact) only its variant at its C (a quick rebuild that must decide as it does)."""
    wanted = (like["variant"],) if like else variants or (*VARIANTS, AVERAGE)
    names = {n for v in wanted for n in ((EMBEDDING, TFIDF) if v == AVERAGE else (v,))}
    cs = {json.dumps(p["blocks"]): [p["C"]] for p in like["parts"]} if like else {}
    return {v: blocks for v, blocks in VARIANTS.items() if v in names}, cs


def train(data_dir: Path = DATA_DIR, target_recall: float = 1.0, max_false_alarm: float = 0.01,
          contrast: Path | None = None, encoder: str = "", like: dict | None = None,
          variants: tuple[str, ...] = (), notes: float | None = None) -> dict:
    """The artefact: every variant fitted on train, thresholds chosen on dev, the best variant kept; the immediate
    and audience heads fitted beside it (``train_heads``). ``like``: refit only that artefact's variant and C."""
    import sklearn
    from threadpoolctl import threadpool_limits

    parts = all_splits(data_dir, contrast)
    rows, tfidf = parts["train"] + part_examples(parts["train"]), fit_tfidf(parts["train"])
    found = {"train": features(rows, embed([r["text"] for r in rows], encoder), tfidf)}
    pieces = [{"text": p} for r in parts["dev"] for p in message_parts(r["text"])]  # dev is scored part by part
    found["dev"] = features(pieces, embed([p["text"] for p in pieces], encoder), tfidf)
    whole_dev = embed([r["text"] for r in parts["dev"]], encoder)
    study = {}  # the development units' study questions, part by part, when they hold the thresholds up
    for unit, questions in (study_questions() if notes is not None else {}).items():
        flat, sizes = in_parts(questions)
        study[unit] = (features([{"text": p} for p in flat], embed(flat, encoder), tfidf), sizes)
    # the heads learn who is writing and whether the danger is now from the contrast messages' labels
    heads, head_figures = fit_heads(parts["train"], found["train"][EMBEDDING][:len(parts["train"])], parts["dev"],
                                    whole_dev) if contrast else ({}, {})
    targets = np.array([f"{r['label']}:{r['category']}" for r in rows])
    with threadpool_limits(1):  # one BLAS thread: many times faster here, as torch holds threads of its own
        folds = fold_features(rows, found["train"][EMBEDDING], targets)
        fitting, cs = chosen(like, variants)
        fitted = {}
        for v, blocks in fitting.items():  # the slow part: minutes per C value on 2 cores
            tried = cs.get(json.dumps([list(b) for b in blocks]), CS)
            print(f"fitting {v}: C in {tried}, 5 folds each", file=sys.stderr, flush=True)
            fitted[v] = [fit(blocks, targets, folds, found["train"], tried)]
    both = {AVERAGE: fitted[EMBEDDING] + fitted[TFIDF]} if {EMBEDDING, TFIDF} <= set(fitted) else {}
    models = {v: {TFIDF: tfidf if any(b[0] == TFIDF for p in ps for b in p["blocks"]) else None, "parts": ps}
              for v, ps in (fitted | both).items() if v in ((like["variant"],) if like else variants or (v,))}
    dev = {v: tune(model, parts["dev"], found["dev"], target_recall, max_false_alarm, study, notes)
           for v, model in models.items()}
    best = max(dev, key=lambda v: (dev[v]["recall"], -dev[v]["emergency_false_alarm"],  # README step 5
                                   -dev[v]["concern_notes_on_none"], dev[v]["disclosures_first"]))
    return {"embedding_model": encoder_label(encoder), "encoder": encoder, "contrast": Path(contrast).name if contrast
            else "", "variant": best,
            "thresholds": models[best]["thresholds"], "target_recall": target_recall, "max_false_alarm": max_false_alarm,
            **({"max_study_notes": notes} if notes is not None else {}),
            "min_df": MIN_DF, "seed": SEED, "part_examples": len(rows) - len(parts["train"]),
            "train_sha256": hashlib.sha256((data_dir / "train.jsonl").read_bytes()).hexdigest(),
            "train_ids": fingerprint([r["id"] for r in parts["train"]]),
            "sklearn_version": sklearn.__version__, "dev": dev, "heads_dev": head_figures, "rebuild": REBUILD,
            TFIDF: models[best][TFIDF], "parts": models[best]["parts"], **heads}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=REBUILD.removeprefix("python "), description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of messages.jsonl and the split files")
    parser.add_argument("--out", type=Path, help="where the artefact is written (default: the shipped one, for the "
                                                 "shipped recipe only; a candidate must name its file)")
    parser.add_argument("--recall", type=float, default=1.0, help="dev recall the concern threshold keeps")
    parser.add_argument("--max-false-alarm", type=float, default=0.01,
                        help="share of dev study questions the emergency message may reach")
    parser.add_argument("--max-study-notes", type=float, help="at most this share of each development unit's study "
                        "questions may get a concern note, and none the emergency message (issue 26: 0.02); off: unset")
    parser.add_argument("--contrast", default="none", help=f"the contrast messages' folder ({CONTRAST_DIR.name}: the "
                        "issue-26 candidate) or none (the shipped classifier)")
    parser.add_argument("--encoder", default="bundled",
                        help="bundled: the frozen MiniLM (the shipped classifier); safeguarding: the fine-tuned encoder "
                             "(python -m tutor.guards.contrastive); or a folder holding a candidate adapter")
    parser.add_argument("--like", type=Path, help="refit only this artefact's variant at its C (a quick check that a "
                                                  "rebuild decides as it does; minutes instead of the full search)")
    parser.add_argument("--variant", action="append", default=[], choices=[*VARIANTS, AVERAGE],
                        help="fit only these variants (repeatable; default: all four)")
    args = parser.parse_args(argv)
    like = json.loads(args.like.read_text(encoding="utf-8")) if args.like else None
    if args.out is None and like is None and (args.contrast != "none" or args.encoder != "bundled" or args.variant):
        parser.error("a candidate (--contrast, --encoder or --variant) must name its file with --out; the shipped "
                     f"artefact {MODEL_FILE.name} is replaced only by naming it")
    args.out = args.out or MODEL_FILE
    contrast = None if args.contrast == "none" else Path(args.contrast)
    encoder = "" if args.encoder == "bundled" else args.encoder
    if like is not None:  # the artefact's own data and encoder
        contrast, encoder = (CONTRAST_DIR if like.get("contrast") else None), like.get("encoder", "")
        args.max_study_notes = like.get("max_study_notes")
    args.contrast = contrast
    if like is not None and like.get("members"):
        parser.error(f"{args.like} joins several artefacts: rebuild it with python -m tutor.guards.join --like")
    artefact = train(args.data, target_recall=args.recall, max_false_alarm=args.max_false_alarm, contrast=contrast,
                     encoder=encoder, like=like, variants=tuple(args.variant), notes=args.max_study_notes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dump(artefact) + "\n", encoding="utf-8")
    for variant, figs in artefact["dev"].items():
        print(f"dev {variant}: " + ", ".join(f"{k} {v}" for k, v in figs.items()))
    print(f"kept: {artefact['variant']}, thresholds {artefact['thresholds']} -> {args.out}\n")
    print(f"heads on dev: {artefact.get('heads_dev')}")
    print(f"per category and register: python -m tutor.guards.safeguarding_report --model {args.out}")
    return artefact


if __name__ == "__main__":
    main()
