"""Passages of OpenStax books for the learner-question dataset: what its writers read, and nothing else.

    python -m tutor.training.learner_sections --mirror-dir DIR [--out datasets/learner-questions]

Each book of ``OUT/manifest.json`` is read at its pinned commit (refused unless LICENSE and the collection metadata
both say CC BY 4.0, as the reading dataset's harvester does). A content module (a book section) is cut at its
level-2 headings into parts; learning objectives, summaries and key terms are left out (they are structure, not
answers). Consecutive parts are joined until a passage holds at least ``MIN_SENTENCES`` sentences, and a long part
is cut at block boundaries into passages of at most ``MAX_SENTENCES``. ``PER_BOOK`` passages are drawn per book
with a seed, at most ``PER_MODULE`` from one module, modules named in ``exclude_chapter_of`` (those a course unit repeats)
never, nor the rest of their chapters. Output:

- ``sections.jsonl``: one passage per row (``section_id`` book/module/part, title, headings, numbered sentences,
  ``module_offset``: where its sentences start among its module's);
- ``modules.jsonl``: every sampled module's sentences in order (the "unit" a question is ranked over);
- ``books.json``: commit, licence evidence and the later licence change per book.
"""

import argparse
import json
import random
import zlib
from pathlib import Path

from tutor.training.cnxml_inline import CNX
from tutor.training.harvest import read_modules, write_jsonl
from tutor.training.sentences import to_sentences
from tutor.training.sources import GitBook, collection_modules, find_git_dir, later_changes, licence_evidence

MIN_SENTENCES, MAX_SENTENCES = 12, 40
PER_BOOK, PER_MODULE = 26, 2
STRUCTURE_HEADINGS = ("learning objectives", "learning outcomes", "summary", "section summary", "key terms",
                      "key concepts", "key concepts and summary", "chapter review", "glossary", "try it",
                      "suggested readings", "further reading", "references", "bibliography")


def parts(blocks, title, n_glossary=0):
    """[(heading, blocks)] cut at level-2 headings and at structure headings of any level (a summary nested in the
    last section); the blocks before the first go under the module title, the glossary's last under "Key terms"."""
    body, glossary = blocks[:len(blocks) - n_glossary], blocks[len(blocks) - n_glossary:]
    out = [(title, [])]
    for kind, payload in body:
        if kind == "h" and (payload[0] <= 2 or structure(payload[1])):
            out.append((payload[1], []))
        else:
            out[-1][1].append((kind, payload))
    out.append(("Key terms", glossary))
    return [(h, b) for h, b in out if b]


def structure(heading):
    return heading.strip().lower() in STRUCTURE_HEADINGS


def glossary_size(root):
    gloss = root.find("{%s}glossary" % CNX)
    return len(gloss.findall("{%s}definition" % CNX)) if gloss is not None else 0


def cut(blocks, limit=MAX_SENTENCES):
    """Blocks in runs of at most `limit` sentences (a single longer block stays whole)."""
    runs, run, n = [], [], 0
    for b in blocks:
        k = len(to_sentences([b]))
        if run and n + k > limit:
            runs.append(run)
            run, n = [], 0
        run.append(b)
        n += k
    return runs + ([run] if run else [])


def module_passages(blocks, title, n_glossary=0):
    """(headings, sentences, offset in the module's sentences) for one module, and the module's sentences."""
    module_sents, passages, pending = [], [], None
    for heading, pblocks in parts(blocks, title, n_glossary):
        start = len(module_sents)
        module_sents += to_sentences(pblocks)
        if structure(heading):
            pending = None   # structure breaks a passage: never joined across it
            continue
        offset = start
        for run in cut(pblocks):
            sents = to_sentences(run)
            if pending is not None and pending[2] + len(pending[1]) == offset:
                pending = (pending[0] + [heading], pending[1] + sents, pending[2])
            else:
                pending = ([heading], sents, offset)
            offset += len(sents)
            if len(pending[1]) >= MIN_SENTENCES:
                passages.append(pending)
                pending = None
    return passages, module_sents


def book_passages(cfg, mirror_dir):
    gb = GitBook(find_git_dir(mirror_dir, cfg["repo"]), cfg["commit"])
    evidence = licence_evidence(gb, cfg["collection"])
    if not evidence["ok"]:
        raise SystemExit(f"{cfg['book']}: not CC BY 4.0 at {gb.commit}: {evidence}")
    title, _, mods = collection_modules(gb, cfg["collection"])
    repeated = set(cfg.get("exclude_chapter_of", []))
    excluded = {mid for mid, chap, _ in mods if chap in {c for m, c, _ in mods if m in repeated}}
    passages, modules = [], {}
    for mid, root, conv, number, chap_title in read_modules(gb, mods):
        if mid in excluded or number is None or number.endswith(".0"):
            continue
        found, sents = module_passages(conv.convert(), conv.doc_title, glossary_size(root))
        modules[mid] = {"book": cfg["book"], "module": mid, "number": number, "title": conv.doc_title,
                        "chapter": chap_title, "sentences": sents}
        for i, (heads, psents, offset) in enumerate(found):
            passages.append({"book": cfg["book"], "split": cfg["split"], "section_id": f"{cfg['book']}/{mid}/{i}",
                             "module": mid, "number": number, "title": conv.doc_title, "chapter": chap_title,
                             "headings": heads, "module_offset": offset, "sentences": psents})
    meta = {"book": cfg["book"], "repo": cfg["repo"], "collection": cfg["collection"], "title": title,
            "split": cfg["split"], "commit": gb.commit_info(), "license_evidence": evidence,
            "later_license_change": later_changes(gb, cfg["collection"]), "excluded_modules": sorted(excluded)}
    return meta, sample(cfg["book"], passages), modules


def sample(book, passages, per_book=PER_BOOK, per_module=PER_MODULE):
    """A seeded draw of passages, at most `per_module` from a module, in book order."""
    rng = random.Random(zlib.crc32(book.encode("utf-8")))
    order = list(range(len(passages)))
    rng.shuffle(order)
    taken, per = [], {}
    for i in order:
        mid = passages[i]["module"]
        if per.get(mid, 0) < per_module:
            taken.append(i)
            per[mid] = per.get(mid, 0) + 1
        if len(taken) == per_book:
            break
    return [passages[i] for i in sorted(taken)]


def build(mirror_dir, out):
    out = Path(out)
    cfgs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["books"]
    metas, sections, modules = [], [], []
    for cfg in cfgs:
        meta, secs, mods = book_passages(cfg, mirror_dir)
        used = {s["module"] for s in secs}
        meta["counts"] = {"passages": len(secs), "modules": len(used)}
        metas.append(meta)
        sections += secs
        modules += [m for mid, m in mods.items() if mid in used]
    write_jsonl(out / "sections.jsonl", sections)
    write_jsonl(out / "modules.jsonl", modules)
    # with the commits' subjects ("_subject"): the dataset's README quotes them
    (out / "books.json").write_text(json.dumps(metas, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return metas


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror-dir", required=True, help="folder holding the bare git mirrors")
    ap.add_argument("--out", default="datasets/learner-questions", help="the dataset folder (holds manifest.json)")
    a = ap.parse_args(argv)
    for m in build(a.mirror_dir, a.out):
        print(f"{m['book']}: {m['counts']['passages']} passages from {m['counts']['modules']} modules "
              f"at {m['commit']['commit'][:10]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
