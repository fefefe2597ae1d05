"""Join safeguarding artefacts into one classifier: the weighted mean of their parts' calibrated probabilities, each
part reading its own encoder's embedding, with the thresholds chosen again on dev.

    python -m tutor.guards.join A.json B.json [--weights 1 1] [--max-study-notes 0.02] [--out FILE]
    python -m tutor.guards.join --like JOINED.json --out FILE   # refit every member of a joined artefact

Two encoders fine-tuned on the same pairs by different objectives (``contrastive``: triplets, or cross-entropy with
``--loss labels``) err on different messages, so their mean misses fewer disclosures at the same false alarms than
either (README, "Safeguarding a DSL can trust"). The first artefact's encoder and heads are the classifier's; a
member's weight is shared among its parts. ``--like`` refits each recorded member at its own C
(``train_safeguarding.train``) and joins them as recorded: the check that a rebuild decides as the shipped one does.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..artefacts import dump
from .cutoffs import in_parts, study_questions
from .safeguarding import MODEL_FILE, REBUILD as REBUILD_SINGLE, Classifier, message_parts
from .safeguarding_data import CONTRAST_DIR, DATA_DIR, all_splits

COMMAND = "python -m tutor.guards.join"


def member(artefact: dict, weight: float) -> dict:
    """What a joined artefact records of a member: enough for ``train(like=...)`` to refit it."""
    return {"variant": artefact["variant"], "encoder": artefact.get("encoder", ""),
            "contrast": artefact.get("contrast", ""),
            "weight": weight, "parts": [{"blocks": p["blocks"], "C": p["C"]} for p in artefact["parts"]]}


def joined_parts(members: list[dict], weights: list[float]) -> list[dict]:
    """Every member's parts, each weighted by its member's weight over its member's number of parts; a part of a
    member with another encoder than the first's names that encoder and the vectors it was trained on.

    >>> a = {"encoder": "x", "parts": [{"C": 1}, {"C": 2}]}
    >>> b = {"encoder": "y", "embedding_model": "y 1234", "parts": [{"C": 3}]}
    >>> joined_parts([a, b], [1.0, 1.0])
    [{'C': 1, 'weight': 0.5}, {'C': 2, 'weight': 0.5}, {'C': 3, 'weight': 1.0, 'encoder': 'y', 'embedding_model': 'y 1234'}]
    """
    main, out = members[0].get("encoder", ""), []
    for m, w in zip(members, weights):
        own = {} if m.get("encoder", "") == main else {"encoder": m["encoder"], "embedding_model": m["embedding_model"]}
        out += [{**p, "weight": w / len(m["parts"]), **own} for p in m["parts"]]
    return out


def join(members: list[dict], weights: list[float], notes: float | None = None, data_dir: Path = DATA_DIR) -> dict:
    """The joined artefact, its thresholds chosen on dev as ``train_safeguarding.tune`` chooses them."""
    from .train_safeguarding import tune

    tfidfs = [json.dumps(m["tfidf"], sort_keys=True) for m in members if m.get("tfidf")]
    if len(set(tfidfs)) > 1:
        raise ValueError("members read different TF-IDF vocabularies; join at most one member that reads TF-IDF")
    first = members[0]
    model = {**{k: v for k, v in first.items() if k not in ("dev", "parts", "tfidf")}, "variant": "joined",
             "tfidf": next((m["tfidf"] for m in members if m.get("tfidf")), None), "parts": joined_parts(members, weights),
             "members": [member(m, w) for m, w in zip(members, weights)], "rebuild": COMMAND,
             "thresholds": {"concern": 0.0, "disclosure": 1.0}}
    classifier = Classifier.from_dict(model)
    contrast = CONTRAST_DIR if any(m["contrast"] for m in model["members"]) else None
    dev = all_splits(data_dir, contrast)["dev"]
    found = classifier.features([p for r in dev for p in message_parts(r["text"])])
    study = {}
    for unit, questions in (study_questions() if notes is not None else {}).items():
        flat, sizes = in_parts(questions)
        study[unit] = (classifier.features(flat), sizes)
    figures = tune(model, dev, found, first.get("target_recall", 1.0), first.get("max_false_alarm", 0.01), study, notes)
    return {**model, "max_study_notes": notes, "dev": {"joined": figures},
            "members_dev": [m.get("dev", {}).get(m["variant"]) for m in members]}


def rebuild(like: dict, data_dir: Path = DATA_DIR) -> dict:
    """Refit every member of a joined artefact at its recorded C, then join them as it records."""
    from .train_safeguarding import train

    members = [train(data_dir, contrast=CONTRAST_DIR if m["contrast"] else None, encoder=m["encoder"], like=m)
               for m in like["members"]]
    return join(members, [m["weight"] for m in like["members"]], like.get("max_study_notes"), data_dir)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog=COMMAND.removeprefix("python "), description=__doc__.split("\n")[0])
    parser.add_argument("members", nargs="*", type=Path, help="artefacts of train_safeguarding to join")
    parser.add_argument("--weights", nargs="*", type=float, help="one per member (default: equal)")
    parser.add_argument("--max-study-notes", type=float, help="as train_safeguarding's (issue 26: 0.02)")
    parser.add_argument("--like", type=Path, help="a joined artefact: refit its members and join them as it did")
    parser.add_argument("--out", type=Path, required=True, help=f"where the joined artefact goes (the shipped one "
                        f"is {MODEL_FILE.relative_to(MODEL_FILE.parents[3])}: name it to replace it)")
    args = parser.parse_args(argv)
    if args.like:
        like = json.loads(args.like.read_text(encoding="utf-8"))
        if not like.get("members"):
            parser.error(f"{args.like} is not a joined artefact (no members); rebuild it with {REBUILD_SINGLE} --like")
        artefact = rebuild(like)
    elif len(args.members) >= 2:
        members = [json.loads(p.read_text(encoding="utf-8")) for p in args.members]
        weights = args.weights or [1.0] * len(members)
        if len(weights) != len(members):
            parser.error(f"{len(members)} members but {len(weights)} weights")
        artefact = join(members, weights, args.max_study_notes)
    else:
        parser.error("name two or more artefacts to join, or --like a joined artefact")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(dump(artefact) + "\n", encoding="utf-8")
    print(f"dev: {artefact['dev']['joined']} -> {args.out}")
    return artefact


if __name__ == "__main__":
    main()
