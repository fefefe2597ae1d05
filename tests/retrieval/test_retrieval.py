import pytest
from langchain_core.documents import Document
from langchain_tests.integration_tests import RetrieversIntegrationTests

from tutor.ingest.clean import clean
from tutor.retrieval.query import QueryProcessor
from tutor.retrieval.hybrid import Retriever
from tutor.retrieval.langchain import UnitRetriever
from tutor.retrieval.vocabulary import Vocabulary

from tests.conftest import SLUG, UNIT, UNIT_SOURCE


@pytest.fixture(scope="module")
def qp():
    return QueryProcessor(Vocabulary.build([clean(UNIT.read_text(encoding="utf-8")).text]))  # as chunks hold it


@pytest.mark.parametrize("typed, repaired", [
    ("wot is the comon asessment framwork", "what is the common assessment framework"),
    ("serius case reviw", "serious case review"),
    ("y did every1 say it shud never hav happend", "why did everyone say it should never have happened"),
])
def test_spelling_is_repaired_from_the_corpus_vocabulary(qp, typed, repaired):
    assert qp.correct(typed) == repaired


def test_real_words_are_not_corrected(qp):
    assert qp.correct("Which learners and abusers were spotted") == "Which learners and abusers were spotted"


@pytest.mark.parametrize("acr, long", [("SCR", "Serious Case Reviews"), ("CAF", "Common Assessment Framework"),
                                       ("EYFS", "Early Years Foundation Stage"),
                                       ("LSCB", "Local Children's Safeguarding Board")])
def test_acronyms_the_unit_uses_are_expanded(qp, acr, long):
    assert qp.acronyms[acr] == long
    assert long in qp.expand_acronyms(f"what does the {acr.lower()} do")


def test_follow_ups_take_their_topic_from_history(qp):
    q = qp.process("What did it recommend?", ["What happened at Little Ted's nursery?"])
    assert q.expanded_from_history and "Little Ted" in q.text
    standalone = qp.process("What did the Little Ted's review recommend?", ["What is the CAF?"])
    assert not standalone.expanded_from_history


@pytest.fixture(scope="module")
def retriever(unit_settings):

    from tutor.resources import Resources

    return Resources(unit_settings).live().retriever


@pytest.mark.parametrize("question, history, expected, k", [
    ("wot is the comon asessment framwork", (), "Common Assessment Framework (CAF)", 3),
    ("serius case reviw - whats the point", (), "purpose of Serious Case Reviews", 3),
    # a follow-up's history brings its topic: the passage is among the five the tutor reads
    ("What did it recommend?", ("What happened at Little Ted's nursery?",), "Little Teds SCR include", 5),
    ("what does the LSCB do", (), "LSCB's may decide to conduct a SCR", 3),
    ("Which gadgets were banned in Wakefield children's centres?", (), "mobile phones is now prohibited", 3),
])
def test_messy_questions_find_the_right_passage(retriever, question, history, expected, k):
    hits = retriever.search(question, history, k=k, unit=SLUG).passages
    assert any(expected in h.chunk.text for h in hits), [h.chunk.text[:60] for h in hits]


@pytest.mark.parametrize("mode", ["keyword", "dense", "hybrid", "hybrid+query"])
def test_every_mode_ranks_the_obvious_passage_first(retriever, mode):
    hits = retriever.search("Who chaired the inquiry that found failings in twelve agencies?", k=5, mode=mode).passages
    assert "chaired by Lord Laming" in hits[0].chunk.text
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_unknown_mode_lists_the_known_ones(retriever):
    with pytest.raises(ValueError, match="Known modes: keyword, dense, hybrid"):
        Retriever(retriever.index, mode="magic")


def test_unit_retriever_returns_documents_with_provenance(unit_settings):
    docs = UnitRetriever(k=2, settings=unit_settings).invoke("What is the Common Assessment Framework?")
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    raw = UNIT.read_text(encoding="utf-8")
    for d in docs:
        m = d.metadata
        assert m["source"] == UNIT_SOURCE
        assert raw[m["raw_start"]:m["raw_end"]].replace("\u2019", "'").replace("\u201c ", '"').replace("\u201d", '"') \
            .replace("  ", " ").startswith(d.page_content[:30].replace("\u2019", "'"))
    follow = UnitRetriever(k=1, settings=unit_settings).invoke("What did it recommend?",
                                                               history=["What happened at Little Ted's nursery?"])
    assert "Little Ted" in follow[0].page_content


class TestUnitRetrieverStandard(RetrieversIntegrationTests):
    """langchain-tests' standard retriever suite."""

    @pytest.fixture(autouse=True)
    def _index(self, unit_settings, monkeypatch):
        monkeypatch.setenv("TUTOR_INDEX_DIR", str(unit_settings.index_dir))

    @property
    def retriever_constructor(self):
        return UnitRetriever

    @property
    def retriever_constructor_params(self):
        return {"k": 2}

    @property
    def retriever_query_example(self):
        return "What are the five outcomes of Every Child Matters?"


@pytest.mark.slow
def test_optional_cross_encoder_reranks_the_fused_list(unit_settings, tmp_path):
    """TUTOR_RERANKER: no reranker weights ship offline, so a tiny randomly initialised cross-encoder built here
    exercises the real loading and reranking code path."""
    import shutil

    from transformers import BertConfig, BertForSequenceClassification

    from tutor.ingest.embed import bundled_model_path
    from tutor.ingest.index import Index

    model_dir = tmp_path / "tiny-reranker"
    config = BertConfig(vocab_size=30522, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(model_dir)
    for name in ["tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"]:
        shutil.copy(bundled_model_path() / name, model_dir / name)
    plain = Retriever(Index.open(unit_settings))
    reranked = Retriever(plain.index, reranker=str(model_dir))
    question = "What is the Common Assessment Framework?"
    hits = reranked.search(question, k=5).passages
    assert len(hits) == 5 and all(0.0 < h.score < 1.0 for h in hits)
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert {h.chunk.id for h in hits} <= {h.chunk.id for h in plain.search(question, k=40).passages}
