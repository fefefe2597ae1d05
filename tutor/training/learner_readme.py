"""The learner-question dataset's README.md, written from its manifest, books.json and agreement.json (so the counts
never drift from the files): ``python -m tutor.training.learner_data build`` writes it with ``write``."""

from __future__ import annotations

import json
from pathlib import Path

from collections import Counter

from .readme import CC_BY, _change_lines, _commit

ABOUT = """\
Questions written the way learners ask them (levels 2-4: 16-19 year olds, apprentices, adults returning to study;
UK and US spelling) about passages of openly licensed OpenStax textbooks, each with **every** sentence of the
passage that answers it, the short answer span where there is one, and its kind. A quarter are near misses: on the
passage's topic, in its words, asking for something it does not give (the row says what is missing). Built for
issue 25: which sentence answers a question, and whether any does.

Written by helpers who saw only the passage (`WRITERS.md`, the instructions they had), never an evaluation case or a
course unit; a second, independent helper re-labelled a random 10% from the passage and the question alone
(`SECOND-PASS.md`), and the rows it disputes are dropped."""

FILES = """\
## Files

- `manifest.json`: the books, their pinned commits and splits (the input of `python -m tutor.training.learner_sections`).
- `sections.jsonl`: the passages the writers read, one per row: `section_id` (book/module/part), `book`, `split`,
  `module`, `number`, `title`, `chapter`, `headings`, `module_offset` (where its sentences start among its module's),
  `sentences`.
- `modules.jsonl`: every sampled book section's sentences in order (a question is ranked over these: the "unit").
- `written/NNN.jsonl`: the writers' rows for passage NNN (line NNN of `sections.jsonl`), as written.
- `second-pass/NNN.jsonl`: the second pass's `answers` for the sampled rows.
- `questions.jsonl`: the checked rows: `id`, `book`, `split`, `section_id`, `question`, `history` (earlier turns of a
  follow-up), `kind`, `answers` (sentence numbers in the passage), `span` (words of an answering sentence, or null),
  `missing` (near misses: what the passage does not give), `answerable`.
- `agreement.json`: counts, what the checks dropped and the agreement of the two passes."""


def _book(cfg: dict, meta: dict, rows: list[dict]) -> list[str]:
    ev = meta["license_evidence"]
    mine = [r for r in rows if r["book"] == cfg["book"]]
    return [f"### {meta['title']} (`{cfg['book']}`, split: {cfg['split']})", "",
            f"- Repository: https://github.com/{cfg['repo']}, collection `{cfg['collection']}`",
            f"- Commit used: {_commit(meta['commit'])}",
            f"- Licence evidence at that commit: `LICENSE` is \"{ev['license_file_title']}\"; the collection metadata "
            f"has `<md:license url=\"{ev['collection_license_url']}\">`."] + _change_lines(meta["later_license_change"]) + [
            f"- {len({r['section_id'] for r in mine})} passages, {len(mine)} questions.", "",
            f"Attribution: *{meta['title']}* by {cfg['authors']}, OpenStax, licensed under CC BY 4.0 ({CC_BY}). Access "
            f"for free at {cfg['url']}. Changes: passages converted from CNXML to numbered plain sentences; learner "
            "questions written about them and labelled.", ""]


def counts_table(rows: list[dict], kinds: tuple[str, ...]) -> list[str]:
    """Per book: split, passages, questions and questions of each kind; a total row."""
    books = list(dict.fromkeys(r["book"] for r in rows))
    per = Counter((r["book"], r["kind"]) for r in rows)
    lines = ["| book | split | passages | questions | " + " | ".join(kinds) + " |", "|" + "---|" * (4 + len(kinds))]
    for b in books + ["total"]:
        mine = [r for r in rows if b in (r["book"], "total")]
        cells = [str(sum(per[(x, k)] for x in books) if b == "total" else per[(b, k)]) for k in kinds]
        split = mine[0]["split"] if b != "total" else ""
        lines.append(f"| {b} | {split} | {len({r['section_id'] for r in mine})} | {len(mine)} | " + " | ".join(cells) + " |")
    return lines


def write(out: Path, rows: list[dict], summary: dict, kinds: tuple[str, ...]) -> None:
    out = Path(out)
    cfgs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["books"]
    metas = {m["book"]: m for m in json.loads((out / "books.json").read_text(encoding="utf-8"))}
    a = summary.get("agreement") or {}
    share = {k: sum(r["kind"] == k for r in rows) / max(len(rows), 1) for k in ("near_miss", "far")}
    lines = ["# Learner questions (OpenStax passages, every answering sentence labelled)", "", ABOUT, "", "## Licence", "",
             f"CC BY 4.0 ({CC_BY}), derived from the books below, each at a commit where it was released under CC BY "
             "4.0; reuse must keep their attribution lines.", "", "## Counts", "",
             f"{len(rows)} questions over {len({r['section_id'] for r in rows})} passages of "
             f"{len({r['book'] for r in rows})} books; near misses {share['near_miss']:.1%}, far questions "
             f"{share['far']:.1%}.", ""] + counts_table(rows, kinds) + [
             "", "Split by book (the `split` field): train, dev, and two test books measured once at the end.", "",
             "## Agreement", "",
             f"The second pass re-labelled {a.get('sampled', 0)} rows (a 10% sample chosen by the sha256 of the row id) "
             f"from the passage and the question alone. Answerable or not: {a.get('answerable_agreement')} agreement, "
             f"Cohen's kappa {a.get('answerable_kappa')}. Where both call it answerable ({a.get('both_answerable')} rows): "
             f"the answer sets share a sentence in {a.get('share_a_sentence')} of rows, mean Jaccard "
             f"{a.get('mean_jaccard')}. {a.get('disputed')} disputed rows are dropped. Both passes were written by "
             "helpers of the same kind (language models told to read only the passage), so the agreement measures "
             "consistency, not independent human judgement.", "", "## Books", ""]
    for cfg in cfgs:
        lines += _book(cfg, metas[cfg["book"]], rows)
    lines += [FILES, "", "## Rebuild", "", "```",
              "python -m tutor.training.learner_sections --mirror-dir /work/.mirror   # the passages, from git mirrors",
              "python -m tutor.training.learner_data build                           # questions.jsonl, agreement, this file",
              "```"]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
