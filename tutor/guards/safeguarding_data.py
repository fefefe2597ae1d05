"""The labelled safeguarding messages (``evals/safeguarding/messages.jsonl``) and their fixed train/dev/test split.

New messages join without moving any old one: ``python -m tutor.guards.safeguarding_data --merge NEW.jsonl``
appends them to ``messages.jsonl`` and to the split files, each with a ``split`` field chosen by a stable hash of
its id (``home``), which ``split`` honours. The procedure is written out in ``evals/safeguarding/README.md``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "evals" / "safeguarding"
CONTRAST_DIR = PROJECT_ROOT / "datasets" / "safeguarding-contrast"  # the minimal pairs of issue 26 (its README)
SPLITS = {"train": 0.6, "dev": 0.2, "test": 0.2}
SEED = 25
MOVED = {"sg0351": "dev", "sg0630": "dev"}  # test messages read to fix the model, so development data since
def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split(rows: list[dict], seed: int = SEED, moved: dict[str, str] = MOVED) -> dict[str, list[dict]]:
    """Stratified by label+category: each stratum shuffled, then cut 60/20/20; rows keep the file's order.
    A row with a ``split`` field goes there, outside the shuffle; a row whose id is in ``moved`` is shuffled
    with the others (so they keep their places), then goes where ``moved`` says.

    >>> rows = [{"id": f"m{i}", "label": "none", "category": "x"} for i in range(5)]
    >>> [[r["id"] for r in part] for part in split(rows).values()]
    [['m1', 'm2', 'm4'], ['m0'], ['m3']]
    >>> added = {"id": "new", "label": "none", "category": "x", "split": "train"}
    >>> [[r["id"] for r in part] for part in split(rows + [added], moved={"m3": "dev"}).values()]
    [['m1', 'm2', 'm4', 'new'], ['m0', 'm3'], []]
    """
    strata: dict[tuple, list[int]] = defaultdict(list)
    home = {i: row["split"] for i, row in enumerate(rows) if "split" in row}
    if set(home.values()) - set(SPLITS):
        raise ConfigError(f"A message's split field names none of {list(SPLITS)}: {sorted(set(home.values()))}")
    for i, row in enumerate(rows):
        if i not in home:
            strata[(row["label"], row["category"])].append(i)
    rng = random.Random(seed)
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        cuts = np.cumsum([round(share * len(members)) for share in SPLITS.values()][:-1])
        for name, part in zip(SPLITS, np.split(np.array(members), cuts)):
            home.update({int(i): moved.get(rows[i].get("id"), name) for i in part})
    return {name: [row for i, row in enumerate(rows) if home[i] == name] for name in SPLITS}


def load_splits(data_dir: Path = DATA_DIR) -> dict[str, list[dict]]:
    """The train, dev and test splits of ``data_dir/messages.jsonl``, written beside it when missing."""
    paths, source = {name: data_dir / f"{name}.jsonl" for name in SPLITS}, data_dir / "messages.jsonl"
    if not all(p.is_file() for p in paths.values()):
        if not source.is_file():
            raise ConfigError(f"No labelled messages at {source}. Give --data a folder holding messages.jsonl.")
        for name, part in split(read_jsonl(source)).items():
            paths[name].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    return {name: read_jsonl(path) for name, path in paths.items()}


def home(message_id: str) -> str:
    """The split of a message added after the first split: 60/20/20 by the sha256 of its id (stable everywhere).

    >>> [home(f"new{i}") for i in range(5)]
    ['train', 'train', 'test', 'test', 'train']
    """
    share = int(hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:8], 16) / 16 ** 8
    bounds = np.cumsum(list(SPLITS.values()))
    return next(name for name, bound in zip(SPLITS, bounds) if share < bound)


def contrast_rows(folder: Path = CONTRAST_DIR) -> list[dict]:
    """The contrast messages (``written/*.jsonl``, one file per writer), each with its split: the ``home`` of its
    pair's id, so both sides of a minimal pair always fall in the same split (a model never trains on one side and
    is tested on the other). Rows keep the writers' fields; ``voice`` is their ``speaker``. A row the second pass
    labelled otherwise is left out, and so is one sharing eight words in a row with an evaluation case."""
    from ..evals.cases import eval_phrases, ngrams

    rows, disputed, phrases = [], set(second_pass(folder)["disputed"]), eval_phrases()
    for path in sorted((Path(folder) / "written").glob("*.jsonl")):
        for row in read_jsonl(path):
            # dropped: the second pass gave another label, or it shares eight words with an evaluation case
            if row["id"] not in disputed and not ngrams(row["text"]) & phrases:
                rows.append({**row, "voice": row.get("speaker", ""), "split": home(row.get("pair") or row["id"])})
    if bad := [r.get("id") for r in rows if r.get("label") not in ("disclosure", "concern", "none") or not r.get("text")]:
        raise ConfigError(f"{folder}: messages {bad[:5]} need a text and a label of disclosure, concern or none.")
    return rows


def second_pass(folder: Path = CONTRAST_DIR) -> dict:
    """The independent second labelling of a 10% sample (``second-pass.jsonl``: id, label, immediate, speaker)
    against the writers' labels: agreement on the label (and Cohen's kappa), on alert or not, on ``immediate`` where
    both say disclosure, on the audience where both raise an alert; ``disputed``: the ids whose labels differ."""
    from .heads import SPEAKER_AUDIENCE

    path = Path(folder) / "second-pass.jsonl"
    if not path.is_file():
        return {"sampled": 0, "disputed": []}
    second = read_jsonl(path)
    first = {r["id"]: r for p in sorted((Path(folder) / "written").glob("*.jsonl")) for r in read_jsonl(p)}
    pairs = [(first[o["id"]], o) for o in second if o["id"] in first]
    n = len(pairs)
    same = sum(a["label"] == b["label"] for a, b in pairs) / n
    chance = sum(sum(a["label"] == k for a, _ in pairs) * sum(b["label"] == k for _, b in pairs)
                 for k in ("disclosure", "concern", "none")) / n / n
    both = [(a, b) for a, b in pairs if a["label"] == b["label"] == "disclosure"]
    alerts = [(a, b) for a, b in pairs if "none" not in (a["label"], b["label"])]
    return {"sampled": n, "label_agreement": round(same, 4), "kappa": round((same - chance) / (1 - chance), 4),
            "alert_agreement": round(sum((a["label"] == "none") == (b["label"] == "none") for a, b in pairs) / n, 4),
            "immediate_agreement": round(sum(bool(a.get("immediate")) == bool(b.get("immediate")) for a, b in both)
                                         / max(len(both), 1), 4),
            "audience_agreement": round(sum(SPEAKER_AUDIENCE.get(a.get("speaker", "")) == SPEAKER_AUDIENCE.get(
                b.get("speaker", "")) for a, b in alerts) / max(len(alerts), 1), 4),
            "disputed": sorted(a["id"] for a, b in pairs if a["label"] != b["label"])}


def all_splits(data_dir: Path = DATA_DIR, contrast: Path | None = CONTRAST_DIR) -> dict[str, list[dict]]:
    """The labelled messages' splits and the contrast messages' splits together (old rows first)."""
    parts = load_splits(data_dir)
    for row in contrast_rows(contrast) if contrast is not None and Path(contrast).is_dir() else []:
        parts[row["split"]].append(row)
    return parts


def merge(new: Path, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Append the messages of ``new`` (ids not yet present) to ``messages.jsonl`` and, by ``home``, to the split
    files; returns how many joined each split. Old rows and their order stay as they were."""
    old = {r["id"] for r in read_jsonl(data_dir / "messages.jsonl")}
    rows = [r for r in read_jsonl(new) if r["id"] not in old]
    if bad := [r.get("id") for r in rows if not {"id", "text", "label", "category"} <= set(r)
               or r["label"] not in ("disclosure", "concern", "none")]:
        raise ConfigError(f"{new}: messages {bad[:5]} need id, text, category and a label of disclosure, concern or "
                          "none. Fix them and merge again.")
    added = {name: 0 for name in SPLITS}
    for row in rows:
        row = {**row, "split": row.get("split") or home(row["id"])}
        added[row["split"]] += 1
        line = json.dumps(row, ensure_ascii=False) + "\n"
        for target in ("messages.jsonl", f"{row['split']}.jsonl"):
            with open(data_dir / target, "a", encoding="utf-8") as out:
                out.write(line)
    return added


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m tutor.guards.safeguarding_data", description=__doc__.split("\n")[0])
    parser.add_argument("--merge", type=Path, required=True, help="a JSONL file of new labelled messages")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of messages.jsonl and the split files")
    args = parser.parse_args()
    print(f"added per split: {merge(args.merge, args.data)}")
