"""A course of several units: adding a unit re-embeds only that unit, retrieval can be limited to one unit (the
Chroma filter and the keyword index alike), and the index knows each unit's title and attribution."""

import shutil

import pytest

from tutor.errors import TutorError
from tutor.ingest.index import Index
from tutor.ingest.sync import sync
from tutor.retrieval.hybrid import Retriever

from tests.conftest import CORPUS, SLUG
from tests.ingest.test_index import CountingEmbeddings

OTHER = "psychology-memory"


def test_adding_a_unit_embeds_only_that_unit(make_settings):
    settings = make_settings()
    sync(settings, embedder=CountingEmbeddings())
    shutil.copytree(CORPUS / OTHER, settings.corpus_dir / OTHER)
    counting = CountingEmbeddings()
    report = sync(settings, embedder=counting)
    index = Index.open(settings, embedder=counting)
    assert report.files_new == 1 and report.files_unchanged == 1 and report.units == 2
    new = index.chunks_of(OTHER)
    assert set(counting.seen) == {c.text for c in new} | {s for c in new for s in c.sentence_texts()}
    assert index.units[OTHER].title.startswith("Parts of the Brain") and "CC BY 4.0" in index.attribution(OTHER)
    assert not any("Attribution" in c.text for c in index.chunks)  # SOURCE.md is shown, never indexed


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from tutor.settings import Settings

    base = tmp_path_factory.mktemp("course")
    settings = Settings(corpus_dir=CORPUS, index_dir=base / "index", embed_model="fake", db=base / "db.sqlite3",
                        log_chats=False)
    sync(settings, show_progress=False)
    return Retriever(Index.open(settings))


@pytest.mark.parametrize("mode", ["keyword", "dense", "hybrid", "hybrid+query"])
def test_retrieval_can_be_limited_to_one_unit(course, mode):
    question = "What does the unit say about memory and the brain?"
    everywhere = course.search(question, k=20, mode=mode)
    mine = course.search(question, k=10, mode=mode, unit=SLUG)
    assert {h.chunk.unit for h in everywhere.passages} != {SLUG}
    assert mine.passages and {h.chunk.unit for h in mine.passages} == {SLUG} and mine.unit == SLUG


def test_an_unknown_unit_lists_the_known_ones(course):
    with pytest.raises(TutorError, match=f"Unknown unit 'nope'. Units in this index: .*{SLUG}"):
        course.search("anything", unit="nope")


def test_each_unit_has_its_own_vocabulary(course):
    assert "hippocampus" in course.vocabulary(OTHER).words and "hippocampus" not in course.vocabulary(SLUG).words
    assert "hippocampus" in course.vocabulary().words
