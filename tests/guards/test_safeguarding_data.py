"""New labelled safeguarding messages join the data without moving an old one (temporary copies only)."""

from __future__ import annotations

import json
import shutil

from tutor.guards.safeguarding_data import DATA_DIR, SPLITS, home, load_splits, merge, split


def test_merged_messages_keep_every_old_split_and_land_by_a_stable_hash(tmp_path):
    for name in ("messages", *SPLITS):
        shutil.copy(DATA_DIR / f"{name}.jsonl", tmp_path / f"{name}.jsonl")
    before = {name: (tmp_path / f"{name}.jsonl").read_text() for name in ("messages", *SPLITS)}
    new = [{"id": f"test-new-{i}", "text": f"a study question written for this test, number {i}", "label": "none",
            "category": "science", "voice": "learner"} for i in range(40)]
    (tmp_path / "new.jsonl").write_text("".join(json.dumps(r) + "\n" for r in new))
    added = merge(tmp_path / "new.jsonl", tmp_path)
    assert sum(added.values()) == 40 and all(added.values())  # 60/20/20 by hash: each split gets some
    assert merge(tmp_path / "new.jsonl", tmp_path) == dict.fromkeys(SPLITS, 0)  # merging twice adds nothing
    for name, text in before.items():
        assert (tmp_path / f"{name}.jsonl").read_text().startswith(text)  # old rows untouched, in order
    parts = load_splits(tmp_path)
    assert all(r["split"] == home(r["id"]) == name for name, rows in parts.items() for r in rows if "split" in r
               and r["id"].startswith("test-new"))
    resplit = split([json.loads(line) for line in (tmp_path / "messages.jsonl").read_text().splitlines()])
    assert {n: [r["id"] for r in rows] for n, rows in resplit.items()} == {
        n: [r["id"] for r in rows] for n, rows in parts.items()}  # the rebuild writes the same split files
