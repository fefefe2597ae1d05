"""The ONNX encoder: exported from the bundled weights, the same vectors as the PyTorch model, batched without
changing any vector, and errors that say what to run."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, UNIT
from tutor.errors import ConfigError
from tutor.ingest import onnx_embed
from tutor.ingest.embed import bundled_model_path, get_embedder, model_label
from tutor.ingest.onnx_embed import OnnxEmbeddings

pytestmark = pytest.mark.slow

# lengths from one word-piece to past the 256 the model reads (the longest is truncated, as sentence-transformers does)
TEXTS = ["CAF", "What is a serious case review?", "", "Safeguarding is everyone's responsibility.",
         UNIT.read_text(encoding="utf-8")[:600], UNIT.read_text(encoding="utf-8")[:4000],
         "The law of demand: as price rises, the quantity demanded falls.", "Memory: encoding, storage, retrieval."]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """Both variants exported from the bundled weights into a temporary cache (about 30 s)."""
    cache = tmp_path_factory.mktemp("model-cache")
    onnx_embed.export(bundled_model_path(), cache)
    return cache


@pytest.fixture(scope="module")
def torch_vectors():
    return np.asarray(get_embedder("bundled").embed_documents(TEXTS))


def cosines(a, b) -> np.ndarray:
    return np.sum(np.asarray(a) * np.asarray(b), axis=1)  # both sides are unit vectors


def test_the_export_is_made_from_the_bundled_weights_into_a_folder_named_by_their_hash(cache):
    folder = onnx_embed.export_dir(bundled_model_path(), cache)
    assert folder.parent == cache / "minilm-onnx"
    assert sorted(p.name for p in folder.iterdir()) == ["model-int8.onnx", "model.onnx"]  # no temporary file left
    assert (folder / "model-int8.onnx").stat().st_size < (folder / "model.onnx").stat().st_size / 3
    assert onnx_embed.export(bundled_model_path(), cache) == folder  # already there: nothing is redone


def test_fp32_vectors_are_the_torch_model_s(cache, torch_vectors):
    vectors = OnnxEmbeddings.bundled("fp32", cache=cache).embed_documents(TEXTS)
    assert np.asarray(vectors).shape == torch_vectors.shape
    assert cosines(vectors, torch_vectors).min() > 0.99


def test_int8_vectors_stay_close_to_the_torch_model_s(cache, torch_vectors):
    cos = cosines(OnnxEmbeddings.bundled("int8", cache=cache).embed_documents(TEXTS), torch_vectors)
    print(f"int8 against torch: cosine min {cos.min():.4f}, mean {cos.mean():.4f}")
    assert cos.min() > 0.95 and cos.mean() > 0.97


@pytest.mark.parametrize("variant,batch_size", [("fp32", 3), ("fp32", 32), ("int8", None)])
def test_a_text_gets_its_own_vector_alone_and_in_a_batch(cache, variant, batch_size):
    e = OnnxEmbeddings.bundled(variant, cache=cache)
    e.batch_size = batch_size or e.batch_size  # fp32: length-sorted batches, returned in the caller's order
    batch, alone = np.asarray(e.embed_documents(TEXTS)), np.asarray([e.embed_query(t) for t in TEXTS])
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    assert np.allclose(batch, alone, atol=1e-5)
    assert (np.argmax(batch @ alone.T, axis=1) == np.arange(len(TEXTS))).all()


def test_int8_runs_one_text_at_a_time_because_a_batch_would_move_its_vectors(cache):
    e = OnnxEmbeddings.bundled("int8", cache=cache)
    assert e.batch_size == 1
    e.batch_size = len(TEXTS)  # one run: activations share one quantisation scale
    moved = cosines(e.embed_documents(TEXTS), [e.embed_query(t) for t in TEXTS])
    print(f"int8, batch of {len(TEXTS)} against alone: cosine min {moved.min():.4f}")
    assert moved.min() < 0.999


def test_a_missing_export_says_what_to_run(tmp_path):
    with pytest.raises(ConfigError, match="Run: python -m tutor.ingest.onnx_embed export"):
        OnnxEmbeddings.bundled("fp32", cache=tmp_path, export_missing=False)
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ConfigError, match="Set TUTOR_MODEL_CACHE to a folder you can write to"):
        OnnxEmbeddings.bundled("fp32", cache=tmp_path / "file")


def test_queries_need_neither_torch_nor_transformers(cache):
    probe = (f"import sys\nfrom pathlib import Path\nfrom tutor.ingest.onnx_embed import OnnxEmbeddings\n"
             f"OnnxEmbeddings.bundled('int8', cache=Path({str(cache)!r})).embed_query('What is the CAF?')\n"
             "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_each_encoder_has_its_own_manifest_name_and_the_names_are_listed():
    labels = {name: model_label(name) for name in ("bundled", "onnx", "onnx-int8", "fake")}
    assert len(set(labels.values())) == len(labels)
    with pytest.raises(ConfigError, match=r"known embedder \(bundled, fake, onnx, onnx-int8, onnx-learner, tuned\)"):
        get_embedder("no-such-model-on-disk")
