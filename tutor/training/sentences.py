"""A section's blocks as plain-text sentences (headings left out: they are labels, not statements)."""

from ..text.sentences import split_sentences as spans


def block_units(blocks):
    """Each paragraph, caption, list item, table row and key term as one unit of text."""
    units = []
    for kind, payload in blocks:
        if kind in ("p", "caption"):
            units.append(payload)
        elif kind == "list":
            units.extend(payload)
        elif kind == "table":
            head, rows, caption = payload
            units.extend(x for x in [head] + [" | ".join(c for c in r if c) for r in rows] + [caption] if x)
    return [u.strip() for u in units if u and u.strip()]


def split_sentences(text):
    """The tutor's own sentence splitter (``tutor.text.sentences``), so training sees sentences as answering does."""
    return [text[start:end] for start, end in spans(text)]


def to_sentences(blocks):
    return [s for unit in block_units(blocks) for s in split_sentences(unit)]
