"""The unit's glossary of acronyms, each cited to the sentence where the unit spells it out."""

from __future__ import annotations

from dataclasses import dataclass

from ..ingest.chunk import Chunk
from ..text import fold
from ..text.acronyms import expansions, used


@dataclass(frozen=True)
class GlossaryEntry:
    acronym: str
    long_form: str
    sentence: str  # the unit sentence that uses the long form
    chunk_id: str
    source: str
    paragraph: int


def glossary(chunks: list[Chunk]) -> list[GlossaryEntry]:
    """The unit's acronyms, in order of first use, each cited to the sentence where the unit spells it out.

    An acronym qualifies when the unit uses it (SCR, LSCB, CAF) or when it stands for a name of four or more
    capitalised words the unit uses in full (Early Years Foundation Stage -> EYFS)."""
    texts = [c.text for c in chunks]
    joined = " ".join(texts)
    uses = used(joined)
    by_long: dict[str, str] = {}
    for acr, long in expansions(texts).items():
        if acr in uses or (len(long.split()) >= 4 and long.split()[0] != "The"):
            if by_long.get(long) not in uses:  # LSCB (used) beats LCSB (initials only) for one long form
                by_long[long] = acr
    def evidence(sentence: str, long: str, acr: str) -> int:
        """2: the definition "Long Form (ACR"; 1: the long form as written; 0: the words in any case."""
        plain, long = sentence.replace("\u2019", "'"), long.replace("\u2019", "'")
        return 2 if f"{long} ({acr}" in plain else 1 if long in plain else 0

    entries = []
    for long, acr in by_long.items():
        hits = [(evidence(s, long, acr), -k, s, c) for k, c in enumerate(chunks) for s in c.sentence_texts()
                if fold(long) in fold(s)]
        if hits:
            _, _, sentence, chunk = max(hits, key=lambda h: h[:2])  # the best evidence, earliest in the unit
            entries.append(GlossaryEntry(acr, long, sentence, chunk.id, chunk.source, chunk.paragraph))
    first = {e.acronym: fold(joined).find(fold(e.long_form)) for e in entries}
    return sorted(entries, key=lambda e: first[e.acronym])
