"""The shipped fine-tuned encoders (LoRA adapters of the bundled MiniLM, tutor/ingest/tuned.py): they load, they
say how they were made, a missing one names its command, and the ONNX export of the merged model embeds as the
PEFT model does in torch."""

import shutil

import numpy as np
import pytest

from tutor.errors import ConfigError
from tutor.ingest import tuned
from tutor.ingest.tuned import ADAPTER_FILES, ADAPTERS, REBUILD, adapter_meta

TEXTS = ["Why does the body shiver when it is cold?", "my brother keeps taking my phone and laughing at me"]


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_each_shipped_adapter_loads_and_records_how_it_was_made(name):
    meta = adapter_meta(ADAPTERS[name])
    assert meta["base"].startswith("all-MiniLM-L6-v2") and meta["lr"] > 0 and meta["epochs"] >= 1
    assert len(meta["data"]) == 64 and meta["lora"]["r"] > 0
    assert sum((ADAPTERS[name] / f).stat().st_size for f in ADAPTER_FILES) < 4_000_000  # small enough to ship


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_a_missing_adapter_names_the_command_that_trains_it(tmp_path, monkeypatch, name):
    folder = tmp_path / ADAPTERS[name].name
    shutil.copytree(ADAPTERS[name], folder)
    (folder / "adapter_model.safetensors").unlink()
    monkeypatch.setitem(ADAPTERS, name, folder)
    with pytest.raises(ConfigError, match="missing adapter_model.safetensors") as err:
        adapter_meta(folder)
    assert REBUILD[name] in str(err.value)


@pytest.mark.slow
def test_the_onnx_export_embeds_as_the_peft_model_does(tmp_path):
    """Merged into the bundled weights and exported (as on first use), the safeguarding encoder gives the PEFT
    model's vectors (torch, adapter applied on the fly), and not the bundled model's."""
    from peft import PeftModel
    from sentence_transformers import SentenceTransformer

    from tutor.ingest.bundled import bundled_model_path

    folder = ADAPTERS["safeguarding"]
    onnx = np.asarray(tuned.tuned_embeddings(folder, cache=tmp_path).embed_documents(TEXTS))
    model = SentenceTransformer(str(bundled_model_path()), device="cpu")
    bundled = model.encode(TEXTS, normalize_embeddings=True)
    model[0].auto_model = PeftModel.from_pretrained(model[0].auto_model, str(folder))
    torch_vectors = model.encode(TEXTS, normalize_embeddings=True)
    assert np.min(np.sum(onnx * torch_vectors, axis=1)) > 0.9999
    assert np.max(np.sum(onnx * bundled, axis=1)) < 0.999  # the adapter changed something
