"""The learner-question rows place each passage in its own book's module (issue 25): OpenStax module ids repeat
across books, so a module is keyed by book and id, and every answering sentence is found where the row says."""

import json

from tutor.training.learner_rows import DATASET, load, modules


def test_every_answer_is_the_same_sentence_in_its_passage_and_in_its_module():
    units, rows = modules(), load()
    for r in rows:
        sents = units[r.module]
        assert sents[r.module_offset:r.module_offset + len(r.sentences)] == r.sentences, r.id
        assert all(sents[m] == r.sentences[a] for m, a in zip(r.module_answers, r.answers)), r.id


def test_a_module_id_used_by_two_books_is_two_modules():
    lines = [json.loads(line) for line in (DATASET / "modules.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({m["module"] for m in lines}) < len(lines)  # ids do repeat across books, so this checks something
    assert len(modules()) == len(lines)
