"""The glossary: the acronyms a unit defines itself ("Gross Domestic Product (GDP)" or "GDP (Gross Domestic
Product)"), each cited to the sentence that defines it. Nothing is invented: an acronym appears only when the
text writes it next to its long form (``text.acronyms.defined``).

>>> from tutor.ingest.chunk import Chunk
>>> text = "Output is measured as Gross Domestic Product (GDP). THE LAW OF DEMAND holds."
>>> c = Chunk("c1", "u.txt", "U", text, 0, len(text), 1, 0, 2, text, [(0, 51), (52, len(text))])
>>> [(e.acronym, e.long_form) for e in glossary([c])]
[('GDP', 'Gross Domestic Product')]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..ingest.chunk import Chunk
from ..text.acronyms import defined
from ..text.sentences import GLYPH


@dataclass(frozen=True)
class GlossaryEntry:
    acronym: str
    long_form: str
    sentence: str  # the unit sentence that defines it
    chunk_id: str
    source: str
    paragraph: int
    unit: str = ""


def glossary(chunks: list[Chunk]) -> list[GlossaryEntry]:
    """The acronyms the chunks define, in order of first definition, one entry each."""
    entries: dict[str, GlossaryEntry] = {}
    for chunk in chunks:
        for _, sentence in chunk.answer_sentences():  # never a heading, caption or table row
            if GLYPH.search(sentence):
                continue
            for acronym, long in defined(sentence).items():
                if acronym not in entries:
                    entries[acronym] = GlossaryEntry(acronym, long, sentence, chunk.id, chunk.source, chunk.paragraph,
                                                     chunk.unit)
    return list(entries.values())
