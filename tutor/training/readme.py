"""The dataset's README.md, written from the manifest and what the harvest found (so counts never drift)."""

from pathlib import Path

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
FIELDS = """\
## Files

- `sections.jsonl`: one line per section (module) of every book, in book order: `book`, `section_id` (the module
  id), `number` (chapter.section as in the book; `N.0` for a chapter introduction), `title`, `chapter`,
  `module_path`, `split`, `sentences` (plain text, split into sentences; headings, images, exercises and
  outside-link boxes left out).
- `questions.jsonl`: one line per keyed exercise: `id` (book/section/exercise), `book`, `split`, `section_id`,
  `kind` (the class of the question section, e.g. `review-questions`), `type` (`choice` or `short`), `question`
  (the stem; options are kept apart in `options`), `answer` (the keyed option's text, or the solution text for
  short answers), `answer_letter`, `mapped_by` (`module`: the exercise sits in the section's module; `link`: a
  link in it names the section), `positives` (sentence indices), `match_rule` (`verbatim`: the sentence holds the
  answer verbatim, case-insensitive, as whole words; `overlap`: no verbatim match, the sentence holds at least 60%
  of the answer's content words (at most 3, best first); `none`), `span` (first verbatim occurrence as
  `[sentence, start, end]`, character offsets into that sentence; null if none), `spans` (all of them), `overlap`
  (`[sentence, share]` for overlap positives), `hard_negative_sections` (up to 3 `[book, section_id]` of the same
  book sharing the most question/answer vocabulary and holding no answer by either rule) and
  `far_negative_sections` (2 `[book, section_id]` from other books, seeded by the question id).
- `books.json`: per book the repository, commit, licence evidence, later licence change, counts and the
  exercises skipped (no key, key letters without options...).
- `manifest.json`: the input: which books, at which commit, in which split.

A model that must learn exact grounding should use `match_rule == "verbatim"` only; "grounded" below means at
least one verbatim positive.
"""


def _commit(c):
    return f"`{c['commit']}` ({c['date']}, \"{c['_subject']}\")" if c else "none"


def _change_lines(ch):
    if not ch:
        return ["- Later licence change: none up to the mirror's HEAD; the newest commit is used."]
    lines = [f"- Licence changed after this commit: first commit on the main line that no longer says CC BY 4.0: "
             f"{_commit(ch['first_parent_change'])}; its LICENSE reads \"{ch.get('_title_after', '')}\"."]
    if ch.get("license_file_changed_in"):
        lines.append(f"- LICENSE replaced in {_commit(ch['license_file_changed_in'])}.")
    if ch.get("metadata_changed_in"):
        lines.append(f"- The collection file's `md:license` line first changed (or the file was renamed or removed) "
                     f"in {_commit(ch['metadata_changed_in'])}.")
    return lines


def _book_section(cfg, meta):
    ev, c = meta["license_evidence"], meta["counts"]
    authors = cfg.get("authors") or meta["authors_in_metadata"] or "OpenStax"
    lines = [f"### {meta['title']} (`{cfg['book']}`, split: {cfg['split']})", "",
             f"- Repository: https://github.com/{cfg['repo']}, collection `{cfg['collection']}`",
             f"- Commit used: {_commit(meta['commit'])}",
             f"- Licence evidence at that commit: `LICENSE` is \"{ev['license_file_title']}\"; the collection "
             f"metadata has `<md:license url=\"{ev['collection_license_url']}\">`."]
    lines += _change_lines(meta["later_license_change"])
    lines += [f"- Counts: {c['sections']} sections, {c['questions']} questions, {c['grounded']} grounded "
              f"(verbatim), {c['overlap_only']} overlap-only.", "",
              f"Attribution: *{meta['title']}* by {authors}, OpenStax, licensed under CC BY 4.0 ({CC_BY}). "
              f"Access for free at {cfg['url']}. Changes: sections converted from CNXML to plain sentences; "
              f"review questions and answer keys extracted and paired with sentences.", ""]
    return lines


def write(out, cfgs, metas, manifest):
    rows = [f"| `{m['book']}` | {cfg['split']} | {m['counts']['sections']} | {m['counts']['questions']} | "
            f"{m['counts']['grounded']} | {m['counts']['overlap_only']} |" for cfg, m in zip(cfgs, metas)]
    tot = [sum(m["counts"][k] for m in metas) for k in ("sections", "questions", "grounded", "overlap_only")]
    notes = Path(manifest).with_name("NOTES.md")
    lines = ["# Reading dataset (OpenStax sections and their review questions)", "",
             "Questions with answer keys from openly licensed OpenStax textbooks, each paired with the sentences of "
             "the section it belongs to, the sentences that hold the answer, and negative sections. Built by "
             "`tutor/training/harvest.py`; every file here except `manifest.json` and `NOTES.md` is its output.",
             "", "## Licence", "",
             f"This dataset is licensed CC BY 4.0 ({CC_BY}). It is derived from the books below, each taken at a "
             "commit where the book was released under CC BY 4.0; reuse must keep their attribution lines.", "",
             "## Counts", "", "| book | split | sections | questions | grounded | overlap only |",
             "|---|---|---|---|---|---|"] + rows + [
             f"| total | | {tot[0]} | {tot[1]} | {tot[2]} | {tot[3]} |", "",
             "The split is by book (the `split` field of every row), so a book can be held out whole.", "",
             "## Books", ""]
    for cfg, meta in zip(cfgs, metas):
        lines += _book_section(cfg, meta)
    lines += [FIELDS, "## Rebuild", "", "Fetch each repository as a bare git mirror under one folder "
              "(`owner+name/repo`, `owner+name`, `name` or `name.git`), then from the repository root:", "",
              "```", "python -m tutor.training.harvest --mirror-dir /work/.mirror --out datasets/reading", "```",
              "", "The output is byte-for-byte the same for the same mirrors and manifest."]
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    Path(out, "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
