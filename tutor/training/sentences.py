"""A section's blocks as plain-text sentences (headings left out: they are labels, not statements)."""

import re

ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "st", "no", "fig", "figs", "al", "approx",
                 "ca", "jr", "sr", "inc", "co", "corp", "ltd", "u.s", "u.k", "p", "pp", "vol", "ed", "eds", "cf",
                 "gen", "gov", "sen", "rep", "rev", "prof", "mt", "ft", "jan", "feb", "mar", "apr", "aug", "sep",
                 "sept", "oct", "nov", "dec", "est", "op", "sp", "spp", "var", "min", "max", "dept", "univ"}
BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")


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


def _ends_with_abbreviation(text):
    m = re.search(r"(\S+)\.$", text)
    if not m:
        return False
    word = m.group(1).lower().lstrip("(\"“‘")
    return word in ABBREVIATIONS or bool(re.fullmatch(r"[a-z]", word)) or bool(re.fullmatch(r"([a-z]\.)+[a-z]", word))


def split_sentences(text):
    """Split at ., ! or ? followed by space and a capital or digit, except after abbreviations and initials."""
    out, start = [], 0
    for m in BOUNDARY.finditer(text):
        piece = text[start:m.start()].strip()
        end = text[start:m.end()].rstrip()
        if not piece or _ends_with_abbreviation(end.rstrip("\"”’)]")):
            continue
        out.append(end.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


def to_sentences(blocks):
    return [s for unit in block_units(blocks) for s in split_sentences(unit)]
