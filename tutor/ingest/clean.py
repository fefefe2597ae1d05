"""Cleaning for search and display, with an exact map back to the raw text.

Scraped text has glued words ("suspectedsuicide"), curly quotes and stray spaces. ``clean`` repairs them and
keeps, for every character of the clean text, the index of the raw character it came from, so that any clean
span maps back to the exact raw passage a citation must quote.

>>> c = clean("Thecourse studyguides of  Bristol")
>>> c.text
'The course study guides of Bristol'
>>> c.raw_span(4, 10)   # "course"
(3, 9)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text import zipf
from ..text.tokens import straighten

_FUNCTION_WORDS = {"a", "i", "of", "to", "in", "on", "at", "by", "an", "as", "is", "it", "be", "do", "he",
                   "me", "my", "no", "or", "so", "up", "us", "we", "am", "the", "and", "for", "but", "not"}


@dataclass(frozen=True)
class Cleaned:
    raw: str
    text: str
    offsets: tuple[int, ...]  # offsets[i] is the raw index of text[i]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw (start, end) covering clean text[start:end] (end exclusive; the span must be non-empty)."""
        return self.offsets[start], self.offsets[end - 1] + 1


def is_word(token: str) -> bool:
    return zipf(token) >= 1.5


@lru_cache(maxsize=50_000)
def split_glued(token: str) -> tuple[str, ...]:
    """Split a token of glued words, or return it alone when it is a word or no confident split exists.

    >>> split_glued("suspectedsuicide"), split_glued("welfare")
    (('suspected', 'suicide'), ('welfare',))
    """
    if len(token) < 6 or not token.isalpha() or is_word(token):
        return (token,)
    import wordninja

    parts = wordninja.split(token.lower())
    if len(parts) < 2 or "".join(parts) != token.lower():
        return (token,)
    for part in parts:
        if len(part) <= 2 and part not in _FUNCTION_WORDS:
            return (token,)
        if len(part) > 2 and zipf(part) < 3.0:
            return (token,)
    out, i = [], 0
    for part in parts:  # keep the original capitalisation
        out.append(token[i:i + len(part)])
        i += len(part)
    return tuple(out)


_DROP = "\x00"  # a raw character that is markup: it has no clean character
_MD_DROP = re.compile(r"^\s{0,3}#{1,6}\s*|\*\*|__|`|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|!\[[^\]]*\]\([^)]*\)"
                      r"|\[(?=[^\]]+\]\()|\]\([^)]*\)")
_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|?)+\s*$")  # a table's header rule: no text at all


def markdown(line: str) -> str:
    """The line with Markdown markup marked for dropping (heading #s, emphasis, code ticks, link and image
    syntax, table rules) and table pipes as spaces; same length, so offsets still point into the raw line.

    >>> markdown("## The **law** of [demand](http://x.org)").replace(_DROP, "")
    'The law of demand'
    """
    if _MD_RULE.match(line):
        return _DROP * len(line)
    out = list(line.replace("|", " ") if line.lstrip().startswith("|") else line)
    for m in _MD_DROP.finditer(line):
        out[m.start():m.end()] = _DROP * (m.end() - m.start())
    return "".join(out)


def _normalise(raw: str, markup: bool = False) -> tuple[list[str], list[int]]:
    """Quotes and dashes straightened, whitespace collapsed (newlines kept as paragraph breaks), stray spaces
    inside opening quotes and decimal points ("1. 4") removed, and with ``markup`` Markdown syntax dropped."""
    chars: list[str] = []
    offs: list[int] = []
    s = straighten(raw)
    if markup:
        s = "\n".join(markdown(line) for line in s.split("\n"))
    n = len(s)
    i = 0
    while i < n:
        ch = s[i]
        if ch == _DROP:
            i += 1
            continue
        if ch.isspace():
            j = i
            while j < n and (s[j].isspace() or s[j] == _DROP):
                j += 1
            newline = "\n" in s[i:j]
            prev = chars[-1] if chars else ""
            nxt = s[j] if j < n else ""
            if not chars or j == n:
                pass  # leading/trailing whitespace
            elif newline:
                while chars and chars[-1] == " ":
                    chars.pop(); offs.pop()
                chars.append("\n"); offs.append(i)
            elif raw[i - 1] == "\u201c" or (prev == "." and nxt.isdigit() and len(chars) > 1 and chars[-2].isdigit()):
                pass  # "“ Every" -> '"Every'; "1. 4" -> "1.4"
            else:
                chars.append(" "); offs.append(i)
            i = j
            continue
        if ch == "\n":
            i += 1
            continue
        chars.append(ch); offs.append(i)
        i += 1
    return chars, offs


_TOKEN = re.compile(r"[A-Za-z]+|\d+(?=[A-Z][a-z])")


def clean(raw: str, markup: bool = False) -> Cleaned:
    """The clean text of ``raw`` with its map back to the raw characters; ``markup``: the raw text is Markdown."""
    chars, offs = _normalise(raw, markup)
    text = "".join(chars)
    out_chars: list[str] = []
    out_offs: list[int] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        token = m.group()
        if token.isdigit():  # "25Understand" -> "25 Understand"
            pieces = (token,)
            split = True
        else:
            sentence_start = start == 0 or re.search(r"(^|[.!?\n\"]\s*)$", text[max(0, start - 3):start]) is not None
            name_like = token[0].isupper() and not sentence_start
            pieces = (token,) if name_like else split_glued(token)
            split = False
        out_chars.extend(chars[pos:start]); out_offs.extend(offs[pos:start])
        i = start
        for k, piece in enumerate(pieces):
            if k:
                out_chars.append(" "); out_offs.append(offs[i])
            out_chars.extend(chars[i:i + len(piece)]); out_offs.extend(offs[i:i + len(piece)])
            i += len(piece)
        if split:
            out_chars.append(" "); out_offs.append(offs[end])
        pos = end
    out_chars.extend(chars[pos:]); out_offs.extend(offs[pos:])
    return Cleaned(raw=raw, text="".join(out_chars), offsets=tuple(out_offs))
