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
