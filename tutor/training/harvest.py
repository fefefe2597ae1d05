"""Build a reading dataset (questions grounded in textbook sections) from CNXML books in bare git mirrors.

    python -m tutor.training.harvest --mirror-dir DIR --out datasets/reading [--manifest FILE]

The manifest (default OUT/manifest.json) lists the books: repository, collection file, pinned commit, split,
attribution. Each book is read at its commit, refused unless LICENSE and the collection metadata both say
CC BY 4.0, and walked in collection order. Output: sections.jsonl, questions.jsonl, books.json, README.md.
Everything is deterministic: collection order, fixed tie-breaks, seeds derived from question ids.
"""

import argparse
import json
import random
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

from tutor.training import readme
from tutor.training.cnxml_blocks import Converter
from tutor.training.cnxml_inline import classes, number_elements
from tutor.training.matching import content_words, holds_answer, locate
from tutor.training.questions import module_questions
from tutor.training.sentences import to_sentences
from tutor.training.sources import (GitBook, collection_modules, find_git_dir, is_content_module, later_changes,
                                    licence_evidence, module_path)

HARD_NEGATIVES = 3
FAR_NEGATIVES = 2


def read_modules(gb, mods):
    """Parsed roots of the content modules, with their chapter, section number and figure numbering."""
    out, counts, last_chap, sec = [], {"figure": 0, "table": 0}, None, 0
    for mid, chap, chap_title in mods:
        root = ET.fromstring(gb.read(module_path(mid)).encode("utf-8"))
        if not is_content_module(root):
            continue
        if chap != last_chap:
            counts, last_chap, sec = {"figure": 0, "table": 0}, chap, 0
        intro = "introduction" in classes(root)
        sec += 0 if intro else 1
        prefix = f"{chap}." if chap else ""
        numbers, counts = number_elements(root, prefix, counts["figure"], counts["table"])
        number = None if not chap else (f"{chap}.0" if intro else f"{chap}.{sec}")
        out.append((mid, root, Converter(root, numbers, prefix), number, chap_title))
    return out


def harvest_book(cfg, mirror_dir):
    gb = GitBook(find_git_dir(mirror_dir, cfg["repo"]), cfg["commit"])
    evidence = licence_evidence(gb, cfg["collection"])
    if not evidence["ok"]:
        raise SystemExit(f"{cfg['book']}: not CC BY 4.0 at {gb.commit}: {evidence}")
    title, authors, mods = collection_modules(gb, cfg["collection"])
    modules = read_modules(gb, mods)
    section_ids = {m[0] for m in modules}
    sections, questions, skipped = [], [], {}
    for mid, root, conv, number, chap_title in modules:
        blocks = conv.convert()
        sections.append({"book": cfg["book"], "section_id": mid, "number": number, "title": conv.doc_title,
                         "chapter": chap_title, "module_path": module_path(mid), "split": cfg["split"],
                         "sentences": to_sentences(blocks)})
        found, why = module_questions(conv, root, mid, section_ids)
        questions.extend(found)
        for k, v in why.items():
            skipped[k] = skipped.get(k, 0) + v
    meta = {"book": cfg["book"], "repo": cfg["repo"], "collection": cfg["collection"], "title": title,
            "authors_in_metadata": authors, "commit": gb.commit_info(), "license_evidence": evidence,
            "later_license_change": later_changes(gb, cfg["collection"]), "skipped_exercises": skipped}
    return meta, sections, questions


def hard_negatives(q, words, book_sections, vocab):
    """Same-book sections sharing the most question/answer vocabulary, none of which holds the answer."""
    ranked = sorted(((len(words & vocab[s["section_id"]]), i) for i, s in enumerate(book_sections)
                     if s["section_id"] != q["section_id"]), key=lambda x: (-x[0], x[1]))
    out = []
    for _, i in ranked:
        s = book_sections[i]
        if s["sentences"] and not holds_answer(q["answer"], s["sentences"]):
            out.append([s["book"], s["section_id"]])
        if len(out) == HARD_NEGATIVES:
            break
    return out


def far_negatives(qid, book, sections):
    pool = [[s["book"], s["section_id"]] for s in sections if s["book"] != book and s["sentences"]]
    rng = random.Random(zlib.crc32(qid.encode("utf-8")))
    return rng.sample(pool, min(FAR_NEGATIVES, len(pool)))


def ground(book, split, raw, sections, all_sections):
    """Question rows for one book: positives, rule, spans and negatives (questions on empty sections dropped)."""
    by_id = {s["section_id"]: s for s in sections}
    vocab = {s["section_id"]: content_words(" ".join(s["sentences"])) for s in sections}
    rows, seen = [], set()
    for q in raw:
        sents = by_id[q["section_id"]]["sentences"]
        if not sents:
            continue
        qid = f"{book}/{q['section_id']}/{q['exercise_id']}"
        while qid in seen:
            qid += "+"
        seen.add(qid)
        loc = locate(q["answer"], sents)
        words = content_words(q["question"] + " " + q["answer"])
        rows.append({"id": qid, "book": book, "split": split, "section_id": q["section_id"], "kind": q["kind"],
                     "type": q["type"], "question": q["question"], "options": q["options"],
                     "answer": q["answer"], "answer_letter": q["answer_letter"], "mapped_by": q["mapped_by"],
                     "positives": loc["positives"], "match_rule": loc["match_rule"],
                     "span": loc["spans"][0] if loc["spans"] else None, "spans": loc["spans"],
                     "matched_text": loc["matched_text"],
                     "overlap": loc["overlap"],
                     "hard_negative_sections": hard_negatives(q, words, sections, vocab),
                     "far_negative_sections": far_negatives(qid, book, all_sections)})
    return rows


def public(obj):
    """Drop keys starting with "_" (kept for the README only) at any depth."""
    if isinstance(obj, dict):
        return {k: public(v) for k, v in obj.items() if not k.startswith("_")}
    return [public(v) for v in obj] if isinstance(obj, list) else obj


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def build(mirror_dir, out, manifest):
    cfgs = json.loads(Path(manifest).read_text(encoding="utf-8"))["books"]
    harvested = [harvest_book(cfg, mirror_dir) for cfg in cfgs]
    all_sections = [s for _, secs, _ in harvested for s in secs]
    metas, questions = [], []
    for cfg, (meta, secs, raw) in zip(cfgs, harvested):
        rows = ground(cfg["book"], cfg["split"], raw, secs, all_sections)
        meta["counts"] = {"sections": len(secs), "questions": len(rows),
                          "grounded": sum(r["match_rule"] == "verbatim" for r in rows),
                          "overlap_only": sum(r["match_rule"] == "overlap" for r in rows)}
        metas.append(meta)
        questions.extend(rows)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "sections.jsonl", all_sections)
    write_jsonl(out / "questions.jsonl", questions)
    (out / "books.json").write_text(json.dumps(public(metas), ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    readme.write(out, cfgs, metas, manifest)
    return metas


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror-dir", required=True, help="folder holding the bare git mirrors")
    ap.add_argument("--out", required=True, help="output folder (e.g. datasets/reading)")
    ap.add_argument("--manifest", help="books to harvest (default OUT/manifest.json)")
    a = ap.parse_args(argv)
    metas = build(a.mirror_dir, a.out, a.manifest or str(Path(a.out) / "manifest.json"))
    for m in metas:
        c = m["counts"]
        print(f"{m['book']}: {c['sections']} sections, {c['questions']} questions, {c['grounded']} grounded")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
