"""The reader: does this sentence answer this question? A cross-encoder (MiniLM fine-tuned on educators'
questions with answer keys, ``python -m tutor.training.reader``) run by ONNX Runtime, int8.

It reads the question and the sentence together, so it sees what an embedding cannot: whether the sentence gives
what is asked, not only talks about it. Its probability feeds the sentence ranking, the scope decision and the
direct-answer check. Running it needs only ``onnxruntime``, ``tokenizers`` (the bundled MiniLM's tokenizer) and
numpy; nothing is downloaded.

>>> reader = Reader.load()                                                        # doctest: +SKIP
>>> reader.scores("What is X?", ["X is a thing.", "Y is not."])                   # doctest: +SKIP
array([0.93, 0.02])
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ConfigError

FOLDER = Path(__file__).with_name("models") / "reader"
MODEL_FILE, META_FILE, SPAN_FILE = "reader.onnx", "reader.json", "span.json"
MAX_SPAN_TOKENS = 12
REBUILD = "python -m tutor.training.reader"


class Reader:
    """Probabilities that sentences answer a question, from the exported cross-encoder."""

    def __init__(self, onnx_file: Path, tokenizer_file: Path, max_length: int = 128, threads: int = 2,
                 batch_size: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=max_length, strategy="only_second")
        self.tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        # one pair per run: int8 activations share one scale per run, so in a batch a pair's score would move with
        # its neighbours (as the int8 embedder's vectors did, README "The encoder")
        self.batch_size = batch_size
        self.span_head: dict | None = None  # start and end weights over the last hidden states (``span.json``)

    @classmethod
    def load(cls, folder: Path = FOLDER) -> "Reader":
        from ..ingest.bundled import bundled_model_path

        onnx_file, meta_file = folder / MODEL_FILE, folder / META_FILE
        if not onnx_file.is_file() or not meta_file.is_file():
            raise ConfigError(f"The reader model is missing from {folder}. Run: {REBUILD}")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        reader = cls(onnx_file, bundled_model_path() / "tokenizer.json", int(meta.get("max_length", 128)))
        if (folder / SPAN_FILE).is_file():
            reader.span_head = json.loads((folder / SPAN_FILE).read_text(encoding="utf-8"))
        return reader

    def pair_scores(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """The probability for each (question, sentence) pair, in order; batches are sorted by length."""
        from ..ingest.onnx_embed import batches

        if not pairs:
            return np.zeros(0)
        encodings = self.tokenizer.encode_batch([(q, s) for q, s in pairs])
        order = sorted(range(len(pairs)), key=lambda i: len(encodings[i].ids))
        out = np.zeros(len(pairs))
        for batch in batches(order, [len(e.ids) for e in encodings], self.batch_size, 4096):
            logits = self.session.run(["logits"], _feed([encodings[i] for i in batch]))[0].reshape(-1)
            out[batch] = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        return out

    def scores(self, question: str, sentences: list[str]) -> np.ndarray:
        return self.pair_scores([(question, s) for s in sentences])

    def hidden(self, question: str, sentence: str):
        """The pair's encoding and its tokens' last hidden states (tokens x 384)."""
        e = self.tokenizer.encode(question, sentence)
        return e, self.session.run(["hidden"], _feed([e]))[0][0]

    def span(self, question: str, sentence: str) -> tuple[str, float] | None:
        """The words of ``sentence`` that answer ``question`` (its own characters) and the span head's probability
        for them, or None without a span head."""
        if not self.span_head:
            return None
        e, states = self.hidden(question, sentence)
        inside = [i for i, q in enumerate(e.sequence_ids) if q == 1]
        if not inside:
            return None
        start, end = (log_softmax(states[inside] @ np.asarray(self.span_head[k]) + self.span_head[k + "_bias"])
                      for k in ("start", "end"))
        i, j = best_span(start, end, MAX_SPAN_TOKENS)
        a, b = e.offsets[inside[i]][0], e.offsets[inside[j]][1]
        return sentence[a:b], float(np.exp(start[i] + end[j]))


def with_neighbours(sentences, i: int) -> str:
    """The reader's second text for sentence ``i``: the sentence, then the ones before and after it (the sentence
    first, so truncation cuts context, never the sentence).

    >>> with_neighbours(("A.", "B.", "C."), 1), with_neighbours(("A.",), 0)
    ('B. [SEP] A. C.', 'A.')
    """
    context = " ".join(s for s in (sentences[i - 1] if i > 0 else "", sentences[i + 1] if i + 1 < len(sentences) else "") if s)
    return f"{sentences[i]} [SEP] {context}" if context else sentences[i]


def _feed(encodings) -> dict[str, np.ndarray]:
    """The graph's inputs for tokenised pairs, padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    feed = {k: np.zeros((len(encodings), width), dtype=np.int64) for k in ("input_ids", "attention_mask",
                                                                          "token_type_ids")}
    for row, e in enumerate(encodings):
        n = len(e.ids)
        feed["input_ids"][row, :n], feed["token_type_ids"][row, :n] = e.ids, e.type_ids
        feed["attention_mask"][row, :n] = 1
    return feed


def log_softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max()
    return x - np.log(np.exp(x).sum())


def best_span(start: np.ndarray, end: np.ndarray, longest: int) -> tuple[int, int]:
    """The (i, j), i <= j < i + longest, with the highest start[i] + end[j].

    >>> best_span(np.array([0.0, 5.0, 0.0]), np.array([0.0, 0.0, 3.0]), 4)
    (1, 2)
    """
    best, found = -np.inf, (0, 0)
    for i in range(len(start)):
        j = i + int(np.argmax(end[i:i + longest]))
        if start[i] + end[j] > best:
            best, found = start[i] + end[j], (i, j)
    return found
