r"""Sentence-aware, paragraph-respecting chunking with stable ids and exact raw spans.

>>> from tutor.ingest.load import SourceDoc
>>> doc = SourceDoc("corpus/u.txt", "First point. Second point.\n\nA new paragraph.", "0" * 64, "U")
>>> [(c.paragraph, c.text) for c in chunk_document(doc, size=50, overlap=0)]
[(1, 'First point. Second point.'), (2, 'A new paragraph.')]
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field

from ..text.sentences import split_sentences
from .clean import Cleaned, clean
from .load import SourceDoc

@dataclass
class Chunk:
    id: str
    source: str
    title: str
    text: str  # clean text, for search and display
    raw_start: int  # raw_text[raw_start:raw_end] is the exact passage in the source
    raw_end: int
    paragraph: int  # 1-based paragraph number in the source
    sentence_start: int  # 0-based index of the first sentence in the source
    sentence_end: int  # exclusive
    raw: str = ""  # the raw passage itself, raw_text[raw_start:raw_end], quoted by citations
    sentences: list[tuple[int, int]] = field(default_factory=list)  # sentence spans within text
    meta: dict = field(default_factory=dict)

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Chunk":
        d = dict(d)
        d["sentences"] = [tuple(s) for s in d.get("sentences", [])]
        return cls(**d)


def chunk_id(source: str, text: str, seen: dict[str, int]) -> str:
    """Stable id from source and content; a repeated text in one source gets a numbered suffix."""
    base = hashlib.sha1(f"{source}\n{text}".encode()).hexdigest()[:16]
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def chunk_document(doc: SourceDoc, size: int = 400, overlap: int = 1, cleaned: Cleaned | None = None) -> list[Chunk]:
    """Chunks of whole sentences, at most ``size`` characters where a sentence allows, never crossing paragraphs;
    neighbouring chunks of a paragraph share ``overlap`` sentences."""
    c = cleaned or clean(doc.raw_text)
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    sentence_no = 0
    offset = 0
    for para_no, para in enumerate(c.text.split("\n"), start=1):
        spans = [(offset + s, offset + e) for s, e in split_sentences(para)]
        offset += len(para) + 1
        i = 0
        while i < len(spans):
            j = i + 1
            while j < len(spans) and spans[j][1] - spans[i][0] <= size:
                j += 1
            start, end = spans[i][0], spans[j - 1][1]
            text = c.text[start:end]
            raw_start, raw_end = c.raw_span(start, end)
            chunks.append(Chunk(
                id=chunk_id(doc.source, text, seen), source=doc.source, title=doc.title, text=text,
                raw_start=raw_start, raw_end=raw_end, raw=doc.raw_text[raw_start:raw_end], paragraph=para_no,
                sentence_start=sentence_no + i, sentence_end=sentence_no + j,
                sentences=[(s - start, e - start) for s, e in spans[i:j]], meta=dict(doc.meta),
            ))
            if j >= len(spans):
                break
            i = max(i + 1, j - overlap)
        sentence_no += len(spans)
    return chunks
