r"""Sentence-aware, paragraph-respecting chunking with stable ids and exact raw spans.

>>> from tutor.ingest.load import SourceDoc
>>> doc = SourceDoc("corpus/u.txt", "First point. Second point.\n\nA new paragraph.", "0" * 64, "U")
>>> [(c.paragraph, c.text) for c in chunk_document(doc, size=50, overlap=0)]
[(1, 'First point. Second point.'), (2, 'A new paragraph.')]
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from typing import Iterator

from ..text.sentences import split_sentences
from .clean import clean
from .load import SourceDoc
from .documents.blocks import Block
from .documents.lines import LAYOUT
from .documents.text import text_document
from .structure import ANSWERABLE, block_role, sentence_role

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
    unit: str = ""  # the unit's slug
    roles: list[str] = field(default_factory=list)  # each sentence's role: body, list, heading, question, ...
    section: str = ""  # the heading path it sits under, "Title › Section › Subsection"
    page: int = 0  # 1-based page of a PDF where it starts; 0 when the format has no pages

    def sentence_texts(self) -> list[str]:
        return [self.text[s:e] for s, e in self.sentences]

    def answer_sentences(self) -> list[tuple[int, str]]:
        """(index, sentence) of the sentences an answer or a quiz item may quote: body text and list items, not
        headings, captions, tables, learning objectives, questions or a list's lead-in."""
        roles = self.roles or ["body"] * len(self.sentences)
        return [(i, t) for i, (t, r) in enumerate(zip(self.sentence_texts(), roles)) if r in ANSWERABLE]

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


def _lines(raw: str, text: str) -> Iterator[tuple[str, int, int]]:
    """(raw line, start, end) of each line of a block's clean text; clean lines follow the raw lines with text."""
    raw_lines = [line for line in raw.split("\n") if line.strip()]
    pos = 0
    for raw_line, line in zip(raw_lines, text.split("\n")):
        yield raw_line, pos, pos + len(line)
        pos += len(line) + 1


def _sentences(raw: str, text: str, kind: str = "paragraph") -> tuple[list[tuple[int, int]], list[str]]:
    """Sentence spans of a block's clean text and each one's role: a table row is one sentence, a list item or
    line is split into sentences."""
    spans, roles = [], []
    for raw_line, a, b in _lines(raw, text):
        role = block_role(kind, raw_line, text[a:b])
        parts = [(0, b - a)] if role == "table" else split_sentences(text[a:b])
        for s, e in parts:
            spans.append((a + s, a + e))
            roles.append(sentence_role(text[a + s:a + e], role))
    return spans, roles


def document_blocks(doc: SourceDoc) -> tuple[Block, ...]:
    """The typed blocks of a document: the reader's, or read from the lines of a text file."""
    return doc.blocks or text_document(doc.raw_text, doc.source.lower().endswith(".md")).blocks


BOX_SECTION = LAYOUT["box_section"]  # the section of a feature box printed without a label


def sections(blocks, text: str, title: str = "") -> Iterator[tuple[Block, str]]:
    """Each block with its heading path, joined with " › " (a heading's path ends with itself). A heading equal
    to the unit's title is left out: the unit is named beside every citation already. A feature box or sidebar
    (blocks with a ``box``) is a section of its own under the heading it sits beside: its label (its first
    heading) ends its path, and the flow's headings go on after it as before.

    >>> from .documents.text import text_document
    >>> doc = text_document("# Memory\\n\\n## Stages\\n\\nThree stages.\\n\\n## Sleep\\n\\nIt helps.", markup=True)
    >>> [path for b, path in sections(doc.blocks, doc.text) if b.kind == "paragraph"]
    ['Memory › Stages', 'Memory › Sleep']
    """
    stack: list[tuple[int, str]] = []
    labels: dict[str, str] = {}  # a feature box's label: its own heading, never one of the flow's
    for block in blocks:
        name = " ".join(clean(text[block.start:block.end], True).text.split()) if block.kind == "heading" else ""
        if block.box:
            label = labels.setdefault(block.box, name or BOX_SECTION)
            yield block, " › ".join([h for _, h in stack] + [label])
            continue
        if block.kind == "heading":
            stack = [(lv, h) for lv, h in stack if lv < block.level]
            if name and name.casefold() != title.casefold():
                stack.append((block.level, name))
        yield block, " › ".join(h for _, h in stack)


def _lists_whole(pairs, text: str) -> Iterator[tuple[Block, str]]:
    """Neighbouring list items (only a line break between them) as one block, as a text file's list is."""
    held: tuple[Block, str] | None = None
    for block, section in pairs:
        if held and block.kind == "list" == held[0].kind and text[held[0].end:block.start] == "\n":
            held = (replace(held[0], end=block.end), held[1])
            continue
        if held:
            yield held
        held = (block, section)
    if held:
        yield held


def chunk_document(doc: SourceDoc, size: int = 400, overlap: int = 1) -> list[Chunk]:
    """Chunks of whole sentences, at most ``size`` characters where a sentence allows, never crossing blocks
    (a list or a table is one block; page furniture is left out); neighbouring chunks of a block share ``overlap``
    sentences. Each block is cleaned on its own, so memory stays bounded by the longest block."""
    markup = doc.source.lower().endswith(".md")
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    sentence_no = para_no = 0
    for block, section in _lists_whole(sections(document_blocks(doc), doc.raw_text, doc.title), doc.raw_text):
        a, b = block.start, block.end
        c = clean(doc.raw_text[a:b], markup)
        if block.kind == "furniture" or not c.text.strip():
            continue  # running headers and page numbers; all markup (a table rule)
        para_no += 1
        spans, roles = _sentences(doc.raw_text[a:b], c.text, block.kind)
        for i, j in _windows(spans, size, overlap):
            start, end = spans[i][0], spans[j - 1][1]
            text = c.text[start:end]
            raw_start, raw_end = (a + x for x in c.raw_span(start, end))
            chunks.append(Chunk(
                id=chunk_id(doc.source, text, seen), source=doc.source, title=doc.title, text=text,
                raw_start=raw_start, raw_end=raw_end, raw=doc.raw_text[raw_start:raw_end], paragraph=para_no,
                sentence_start=sentence_no + i, sentence_end=sentence_no + j,
                sentences=[(s - start, e - start) for s, e in spans[i:j]], meta=dict(doc.meta), unit=doc.unit,
                roles=roles[i:j], section=section, page=block.page))
        sentence_no += len(spans)
    return chunks


def _windows(spans: list[tuple[int, int]], size: int, overlap: int) -> Iterator[tuple[int, int]]:
    """(first, end) sentence indices of each chunk: as many sentences as fit in ``size`` characters (at least
    one), the next chunk starting ``overlap`` sentences before the end of this one."""
    i = 0
    while i < len(spans):
        j = i + 1
        while j < len(spans) and spans[j][1] - spans[i][0] <= size:
            j += 1
        yield i, j
        if j >= len(spans):
            return
        i = max(i + 1, j - overlap)
