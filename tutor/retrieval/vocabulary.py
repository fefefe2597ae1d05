"""What the indexed units know: their words, stems, acronyms and names, for query repair and scope decisions.

>>> v = Vocabulary.build(["A Review Panel met the Home Office (HO) in 2004."])
>>> sorted(v.acronyms.items()), "panel" in v.words, v.knows_phrase({"review", "panel"})
([('HO', 'Home Office')], True, True)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from ..text import squash, terms, words
from ..text.acronyms import expansions
from ..text.names import name_runs, name_stems


@dataclass
class Vocabulary:
    counts: Counter  # word -> how often the units use it
    stems: set[str]  # stemmed content words
    squashed: str  # the units' letters and digits alone, to find "whistleblowing" in "whistle blowing"
    acronyms: dict[str, str]  # ACR -> long form (search expansions)
    phrases: list[frozenset[str]]  # names of two or more capitalised words, as stem sets
    names: Counter  # names of two or more capitalised words, as written, by how often the units use them
    pairs: set[tuple[str, str]] = field(default_factory=set)  # neighbouring content stems ("consum", "surplus")

    @classmethod
    def build(cls, texts: list[str]) -> "Vocabulary":
        acronyms = expansions(texts)
        phrases = [stems for t in texts for _, stems in name_stems(t)] + [
            frozenset(terms(long)) for long in acronyms.values()]
        names = Counter(n.text for t in texts for n in name_runs(t, numbers=False) if n.words >= 2)
        pairs = {pair for t in texts for ts in [terms(t)] for pair in zip(ts, ts[1:])}
        return cls(Counter(w for t in texts for w in words(t)), {s for t in texts for s in terms(t)},
                   squash(" ".join(texts)), acronyms, phrases, names, pairs)

    @cached_property
    def words(self) -> set[str]:
        """Known words: every word the units use, and their acronyms in lower case."""
        return set(self.counts) | {a.lower() for a in self.acronyms}

    def topics(self, n: int = 5) -> list[str]:
        """The names the units use most, to suggest what to ask about."""
        return [name for name, _ in self.names.most_common(n)]

    def knows_phrase(self, stems: frozenset[str]) -> bool:
        return any(stems <= known for known in self.phrases)
