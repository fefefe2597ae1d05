"""An answer never shows a sentence twice: neighbouring chunks share a sentence (the overlap), and a backend that
quotes it from both passages, or quotes a piece of it again, gets it shown once."""

from tutor.grounding.drafts import DraftChecker, repeats
from tutor.grounding.verify import Verifier
from tutor.ingest.chunk import chunk_document
from tutor.ingest.embed import Vectors
from tutor.ingest.load import SourceDoc
from tutor.retrieval.passages import Passage

TEXT = ("Flour, water, salt and yeast are mixed into a dough. Kneading builds a strong gluten network in the dough. "
        "The network traps the gas that the yeast makes while it proves. A hot oven then sets the crumb and the crust.")


def overlapping_passages():
    doc = SourceDoc("corpus/bread/notes.txt", TEXT, "0" * 64, "Bread")
    chunks = chunk_document(doc, size=120, overlap=1)
    assert len(chunks) >= 2 and chunks[0].sentence_texts()[-1] == chunks[1].sentence_texts()[0]
    return [Passage(n, c, 1.0) for n, c in enumerate(chunks, 1)]


def test_a_shared_sentence_quoted_from_both_passages_is_shown_once():
    passages = overlapping_passages()
    shared = passages[0].chunk.sentence_texts()[-1]
    relevant = {s for p in passages for s in p.chunk.sentence_texts()}
    checker = DraftChecker(passages, Verifier(Vectors(None)), relevant)
    pieces = [f"{shared} [1] ", f"{shared} [2] ", f"{shared.split(',')[0].rstrip('.')} [2]. ",
              f"{passages[1].chunk.sentence_texts()[-1]} [2] "]
    shown = [s.text for s in checker.sentences(pieces, "test")]
    assert shown.count(shared) == 1
    assert not any(a != b and (a in b or b in a) for a in shown for b in shown)
    assert len(shown) == len(set(shown)) >= 2


def test_repeats_compares_words_not_punctuation():
    seen = {"kneading builds a strong gluten network"}
    assert repeats("Kneading builds a strong gluten network.", seen)
    assert repeats("a strong gluten network", seen)
    assert not repeats("Kneading takes ten minutes.", seen)
