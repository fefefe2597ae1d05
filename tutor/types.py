"""The tutor's output types: an ``Answer`` with its ``Citation`` s, and the events ``Tutor.stream`` yields.

A stream is ``Signpost`` (safeguarding signposting, when the message raised a concern: always first), then
``Passages`` (the numbered passages), then ``Notice`` and ``Text`` events (each verified
sentence as soon as it is checked), then possibly ``Direct`` (a short answer that heads the finished answer), and
last ``Done`` with the whole ``Answer``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from .grounding.verify import Sentence

ANSWERED, DECLINED, SAFEGUARDING = "answered", "declined", "safeguarding"


def location(unit: str, section: str = "", page: int = 0) -> str:
    """Where a passage is, as learners read it.

    >>> location("Memory", "Stages › Sleep", 3), location("Memory")
    ('Memory › Stages › Sleep › page 3', 'Memory')
    """
    return " › ".join(part for part in (unit, section, f"page {page}" if page else "") if part)


def same_text(a: tuple[str, int, int, str], b: tuple[str, int, int, str], share: float = 0.5) -> bool:
    """Do two passages, each (source, start, end, text), show mostly the same text: the same file's spans
    overlapping by more than ``share`` of the shorter, or one's text inside the other's (a feature box also printed
    in its paragraph)?"""
    (source_a, start_a, end_a, text_a), (source_b, start_b, end_b, text_b) = a, b
    if source_a == source_b and min(end_a, end_b) - max(start_a, start_b) > share * min(end_a - start_a,
                                                                                         end_b - start_b):
        return True
    short, long = sorted((" ".join(text_a.split()), " ".join(text_b.split())), key=len)
    return bool(short) and short in long


def shown_once(citations: list[Citation], cited: set[int]) -> list[Citation]:
    """The passages to show, in order: every cited one, and one not cited only where it does not show mostly what a
    passage already shown does (a feature box and its paragraph are shown once)."""
    kept = [c for c in citations if c.n in cited]
    for c in citations:
        if c.n not in cited and not any(same_text(c.span, k.span) for k in kept):
            kept.append(c)
    shown = {k.n for k in kept}
    return [c for c in citations if c.n in shown]


@dataclass
class Citation:
    n: int
    chunk_id: str
    source: str
    start: int  # span of the passage in the raw source file
    end: int
    text: str  # the raw passage, exactly as in the source
    score: float
    display: str = ""  # the repaired text shown to learners
    paragraph: int = 0
    unit: str = ""  # the unit the passage belongs to
    section: str = ""  # the heading path of the passage, "Title › Section"
    page: int = 0  # the PDF page where the passage starts; 0 when the source has no pages

    @property
    def location(self) -> str:
        return location(self.unit, self.section, self.page)

    @property
    def span(self) -> tuple[str, int, int, str]:
        return self.source, self.start, self.end, self.text


@dataclass
class Answer:
    status: str  # answered | declined | safeguarding
    answer: str
    backend: str = ""  # the backend that wrote it; empty when none did
    reason: str = ""  # which guard or check decided a decline or signposting: safeguarding, injection, scope
    citations: list[Citation] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)
    timings_ms: dict = field(default_factory=dict)
    notice: str = ""  # for the learner, above the answer: a corrected false premise, a fallback, an early stop
    detail: str = ""  # for tutors and logs only, never shown to learners: why a guard or check decided as it did
    signposting: str = ""  # a safeguarding note shown beneath the answer (a possible concern)
    direct: str = ""  # a short direct answer, words of the first cited sentence ("" when none could be checked)
    on_question: bool = True  # False: no sentence seems to answer it; the passages shown are only the closest
    passages: list[Citation] = field(default_factory=list, repr=False)  # all numbered passages (for the UI)

    @property
    def verified(self) -> bool:
        return all(s.supported for s in self.sentences)

    def to_json(self) -> dict:
        d = asdict(self)
        d.pop("passages")
        return d

    @classmethod
    def from_json(cls, data: dict) -> "Answer":
        """The answer ``to_json`` (or ``tutor ask --json``) wrote; unknown keys are ignored.

        >>> a = Answer(ANSWERED, "X [1]", citations=[Citation(1, "c", "s.txt", 0, 1, "X", 0.5)])
        >>> Answer.from_json(a.to_json()) == a
        True
        """
        known = {f.name for f in fields(cls)} - {"passages"}
        values = {k: v for k, v in data.items() if k in known}
        values["citations"] = [Citation(**{k: v for k, v in c.items() if k in _CITATION}) for c in data.get("citations", [])]
        values["sentences"] = [Sentence(**s) for s in data.get("sentences", [])]
        return cls(**values)


_CITATION = {f.name for f in fields(Citation)}


@dataclass(frozen=True)
class Signpost:
    """Safeguarding signposting, the first event of its reply; the app puts the message in the lead's queue on it."""
    level: str  # disclosure (the policy's full message) | concern (its one line)
    text: str  # the policy's words
    score: float  # the classifier's score of the most serious part
    part: str  # that part of the message


@dataclass(frozen=True)
class Passages:
    passages: list[Citation]


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Notice:
    text: str


@dataclass(frozen=True)
class Direct:
    """A short direct answer, checked to be words of a cited sentence; it heads the finished answer."""
    text: str  # with its [n] marker


@dataclass(frozen=True)
class Done:
    answer: Answer


Event = Signpost | Passages | Text | Notice | Direct | Done
