"""The role of each paragraph and sentence of a document: body text, or a heading, caption, table row, list
item, learning objective, question or list lead-in. Answers and quiz items are made only from body text and
ordinary list items; every role is still indexed and retrieved. Patterns are data (``structure.toml``).

>>> paragraph_role("Figure 8.8. The amygdala is shown.", "Figure 8.8. The amygdala is shown.")
'caption'
>>> paragraph_role("- Explain the law of demand", "- Explain the law of demand"), paragraph_role("Key Terms", "Key Terms")
('objective', 'heading')
>>> sentence_role("Is demand the same as quantity demanded?", "body")
'question'
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

_DATA = tomllib.loads(Path(__file__).with_name("structure.toml").read_text(encoding="utf-8"))
PATTERNS = {k: re.compile(v) for k, v in _DATA["patterns"].items()}
OBJECTIVE_VERBS = frozenset(_DATA["objectives"]["verbs"].split())
HEADING_WORDS = int(_DATA["heading"]["max_words"])
ANSWERABLE = frozenset({"body", "list"})  # roles an answer sentence or a quiz item may have


def paragraph_role(raw_line: str, text: str) -> str:
    """The role of one paragraph from its raw line (markup still there) and its clean text."""
    if PATTERNS["markdown_heading"].match(raw_line):
        return "heading"
    if PATTERNS["table_row"].match(raw_line):
        return "table"
    if PATTERNS["caption"].match(text) or PATTERNS["credit"].match(text):
        return "caption"
    if PATTERNS["list_item"].match(raw_line):
        first = PATTERNS["list_item"].sub("", raw_line).split(maxsplit=1)
        return "objective" if first and first[0].lower() in OBJECTIVE_VERBS else "list"
    stripped = text.rstrip()
    if stripped and stripped[-1] not in ".!?:;\"')]" and len(stripped.split()) <= HEADING_WORDS:
        return "heading"
    return "body"


def sentence_role(sentence: str, paragraph: str) -> str:
    """A question, a list's lead-in or an image credit inside a paragraph; otherwise the paragraph's role.

    >>> sentence_role('(credit: modification of work by "Jo Ng"/Flickr)', "body"), sentence_role("Source: ONS", "body")
    ('caption', 'caption')
    >>> sentence_role("The source of the river is in Wales.", "body")
    'body'
    """
    if PATTERNS["credit"].match(sentence.strip()):
        return "caption"  # an image credit at the end of a caption or a paragraph
    end = sentence.rstrip(" \"')]")
    if end.endswith("?"):
        return "question"
    if end.endswith(":") and paragraph in ANSWERABLE:
        return "lead-in"
    return paragraph


def block_role(kind: str, raw_line: str, text: str) -> str:
    """The role of one line of a typed block (``documents.blocks``): headings, captions and tables are what the
    reader found; a list item is a learning objective when it starts with an objective verb; a paragraph's role is
    read from its text as in a plain text file.

    >>> block_role("list", "Describe the stages of memory", "Describe the stages of memory")
    'objective'
    """
    if kind in ("heading", "caption", "table"):
        return kind
    if kind == "list":
        first = PATTERNS["list_item"].sub("", text).split(maxsplit=1)
        return "objective" if first and first[0].lower() in OBJECTIVE_VERBS else "list"
    return paragraph_role(raw_line, text)
