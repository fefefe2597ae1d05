import json
import subprocess
import sys

import pytest

from tutor.ingest.embed import HashEmbeddings
from tutor.errors import NoIndexError, TutorError
from tutor.ingest.index import Index, read_manifest, status
from tutor.ingest.sync import sync
from tutor.retrieval.hybrid import Retriever

from tests.conftest import CORPUS, ROOT, SLUG, UNIT, UNIT_SOURCE


class CountingEmbeddings(HashEmbeddings):
    """The fake embedder, counting what it is asked to encode."""

    def __init__(self):
        super().__init__(256)
        self.name = "fake-hash-256"
        self.seen: list[str] = []

    def embed_documents(self, texts):
        self.seen.extend(texts)
        return super().embed_documents(texts)


def ids_by_source(settings):
    return {src: set(f.chunk_ids) for src, f in read_manifest(settings.index_dir).files.items()}


def test_incremental_sync_moves_only_what_changed(make_settings, tmp_path):
    settings = make_settings()
    corpus = settings.corpus_dir
    (corpus / "extra.md").write_text("# Extra\n\nWhistle blowing policies protect children. Staff must be trained.\n",
                                     encoding="utf-8")
    (corpus / "gone.txt").write_text("This file will be deleted. It talks about the EYFS.", encoding="utf-8")
    first = sync(settings, embedder=CountingEmbeddings())
    assert first.files == 3 and first.files_new == 3 and first.removed == 0
    before = ids_by_source(settings)
    unit_ids = before[UNIT_SOURCE]

    again = CountingEmbeddings()
    report = sync(settings, embedder=again)
    assert report.up_to_date and again.seen == []
    old_sentences = {s for c in Index.open(settings, embedder=again).chunks for s in c.sentence_texts()}

    (corpus / "gone.txt").unlink()
    (corpus / "extra.md").write_text("# Extra\n\nWhistle blowing policies protect children. Staff must be trained "
                                     "every year.\n", encoding="utf-8")
    (corpus / "new.txt").write_text("A brand new file about the Common Assessment Framework.", encoding="utf-8")
    counting = CountingEmbeddings()
    report = sync(settings, embedder=counting)
    after = ids_by_source(settings)
    assert report.files_new == 1 and report.files_changed == 1 and report.files_removed == 1
    assert report.files_unchanged == 1
    assert after[UNIT_SOURCE] == unit_ids  # untouched file: same chunks
    assert "corpus/gone.txt" not in after
    assert report.removed == len(before["corpus/gone.txt"]) + len(before["corpus/extra.md"] - after["corpus/extra.md"])
    assert report.added == len(after["corpus/new.txt"])
    assert report.replaced == len(after["corpus/extra.md"] - before["corpus/extra.md"]) > 0
    assert report.unchanged == len(unit_ids) + len(after["corpus/extra.md"] & before["corpus/extra.md"])
    # only the new and changed chunks, and sentences no earlier chunk had, were sent to the embedding model
    index = Index.open(settings, embedder=counting)
    moved = [c for c in index.chunks if c.id not in set().union(*before.values())]
    assert set(counting.seen) == {c.text for c in moved} | ({s for c in moved for s in c.sentence_texts()} - old_sentences)
    assert index.store.get()["ids"] and set(index.store.get()["ids"]) == {c.id for c in index.chunks}
    assert len(index.sentence_store.get()["ids"]) == len(index.chunks_of_sentence)  # stale vectors were deleted
    assert len(index.keyword.vocab_dict) > 10


def test_rebuild_starts_from_scratch_with_the_same_ids(make_settings):
    settings = make_settings()
    sync(settings)
    ids = ids_by_source(settings)
    counting = CountingEmbeddings()
    report = sync(settings, rebuild=True, embedder=counting)
    assert report.added == sum(len(v) for v in ids.values()) and len(counting.seen) > 0
    assert ids_by_source(settings) == ids


def test_interrupted_ingest_leaves_the_old_index_answering(make_settings):
    settings = make_settings(chunk_size=200)
    sync(settings)
    manifest = read_manifest(settings.index_dir)
    (settings.corpus_dir / "more.txt").write_text("Another file. " * 200, encoding="utf-8")
    with pytest.raises(RuntimeError, match="simulated failure"):
        sync(settings, fail_after_batches=1)
    assert read_manifest(settings.index_dir) == manifest
    index = Index.open(settings)
    hits = Retriever(index).search("What is the Common Assessment Framework?", k=3).passages
    assert "Common Assessment Framework" in hits[0].chunk.text
    live = {i for f in manifest.files.values() for i in f.chunk_ids}
    assert live <= set(index.store.get()["ids"])  # vectors written so far sit beside the live ones, unused
    gens = list((settings.index_dir / "generations").iterdir())
    assert [g.name for g in gens] == [manifest.generation]  # no half-built generation
    sync(settings)  # and the next ingest succeeds, reusing what was written and deleting what is stale
    after = read_manifest(settings.index_dir)
    assert "corpus/more.txt" in after.files
    assert set(Index.open(settings).store.get()["ids"]) == {i for f in after.files.values() for i in f.chunk_ids}


def test_nothing_indexable_is_an_error(make_settings, tmp_path):
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    (empty / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(TutorError, match="Nothing could be indexed"):
        sync(make_settings(corpus=empty))


def test_missing_index_says_what_to_do(make_settings):
    settings = make_settings()
    with pytest.raises(NoIndexError, match=r"No index found at .*index/\. Run: tutor ingest"):
        Index.open(settings)
    with pytest.raises(NoIndexError):
        status(settings)


@pytest.mark.slow
def test_server_mode_against_a_real_chroma_server(make_settings, chroma_server):
    host, port = chroma_server
    settings = make_settings(embed_model="bundled", chroma_host=host, chroma_port=port)
    report = sync(settings, show_progress=False)
    assert report.added > 10
    import chromadb

    client = chromadb.HttpClient(host=host, port=port)
    manifest = read_manifest(settings.index_dir)
    assert client.get_collection(manifest.collection).count() == manifest.chunks
    hits = Retriever(Index.open(settings)).search("Which agencies failed Victoria Climbie?", k=3).passages
    assert any("twelve agencies" in h.chunk.text for h in hits)
    assert status(settings)["chroma"] == f"server {host}:{port}"
    (settings.corpus_dir / "note.txt").write_text("A note on whistle blowing training.", encoding="utf-8")
    second = sync(settings, show_progress=False)
    assert second.added == 1 and second.unchanged == report.added
    after = read_manifest(settings.index_dir)
    assert after.collection == manifest.collection  # one collection per index, written in place
    assert client.get_collection(after.collection).count() == after.chunks  # nothing stale left
    mine = {c.name for c in client.list_collections() if c.name.startswith(f"tutor_{after.index_id}_")}
    assert mine == {after.collection, after.sentence_collection}


@pytest.mark.slow
def test_cli_ingest_then_status(tmp_path):
    env = {"TUTOR_INDEX_DIR": str(tmp_path / "ix"), "TUTOR_EMBED_MODEL": "fake", "PATH": "/usr/bin:/bin"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "tutor", *a], capture_output=True, text=True, env=env, cwd=ROOT)
    missing = run("status")
    assert missing.returncode == 1 and "No index found at" in missing.stderr and "Run: tutor ingest" in missing.stderr
    ingest = run("ingest")
    assert ingest.returncode == 0, ingest.stderr
    assert ingest.stdout.startswith("Indexed 5 units, 5 files (5 new") and "chunks" in ingest.stdout
    st = run("status", "--json")
    info = json.loads(st.stdout)
    assert info["sources"][UNIT_SOURCE]["unit"] == SLUG and info["chunks"] > 100
    assert set(info["units"]) == {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert info["units"][SLUG]["title"].startswith("Unit 25") and info["units"][SLUG]["files"] == [UNIT_SOURCE]
    listing = run("status")
    assert "Units:       5" in listing.stdout and f"  {SLUG}: Unit 25" in listing.stdout
    bad = subprocess.run([sys.executable, "-m", "tutor", "ingest", "--corpus", str(tmp_path / "nothing")],
                         capture_output=True, text=True, env=env, cwd=ROOT)
    assert bad.returncode == 1 and "does not exist" in bad.stderr and "Traceback" not in bad.stderr
