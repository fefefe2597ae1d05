"""HTML -> ``Document`` with BeautifulSoup: the page's main content (``<main>``, ``<article>`` or ``role=main``
when there is one) read as headings (h1-h6), paragraphs, list items, tables and captions, in order. Navigation,
menus, banners, footers, scripts and forms of a saved VLE page are left out (``layout.toml``, ``[html]``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..structure import PATTERNS
from .blocks import Builder, Document

_HTML = tomllib.loads(Path(__file__).with_name("layout.toml").read_text(encoding="utf-8"))["html"]
_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "figcaption", "caption", "pre", "blockquote",
           "dt", "dd"}

_INSIDE = sorted(_BLOCKS - {"blockquote"})  # blocks whose text includes everything inside them


def _boilerplate(tag) -> bool:
    if tag.find(["h1", "main", "article"]) or tag.find(attrs={"role": "main"}):
        return False  # it holds the page's title or content (an article's own header, a page-header wrapper)
    if tag.name in _HTML["drop_tags"] or (tag.get("role") or "").lower() in _HTML["drop_roles"]:
        return True
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    words = {w for part in names.lower().replace("_", "-").split() for w in part.split("-")}
    return bool(words & set(_HTML["drop_words"])) and tag.name not in ("body", "main", "article", "html")


def _text(tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def _own_text(li) -> str:
    """A list item's text without its nested lists (those are items of their own)."""
    parts = [child.get_text(" ", strip=True) if hasattr(child, "get_text") else str(child)
             for child in li.children if getattr(child, "name", None) not in ("ul", "ol")]
    return " ".join(" ".join(parts).split())


def _add(out: Builder, tag) -> None:
    name = tag.name
    if name == "table":
        out.table([[_text(c) for c in row.find_all(["th", "td"])] for row in tag.find_all("tr")])
    elif name[0] == "h" and name[1:].isdigit():
        out.add("heading", _text(tag), level=int(name[1:]))
    elif name == "li":
        out.add("list", _own_text(tag))
    elif name in ("figcaption", "caption") or PATTERNS["caption"].match(_text(tag)):
        out.add("caption", _text(tag))
    else:
        out.add("paragraph", _text(tag))


def read_html(path, text: str) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(True):
        if not getattr(tag, "decomposed", False) and tag.parent is not None and _boilerplate(tag):
            tag.decompose()
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or soup.find("article") or soup.body or soup
    out = Builder()
    if not root.find("h1"):  # the page's title sits outside its main content, or only in <title>
        title = soup.find("h1") or soup.title
        out.add("heading", _text(title) if title else "", level=1)
    for tag in root.find_all(_BLOCKS):
        if tag.find_parent(_INSIDE) and not (tag.name == "li" and tag.find_parent(_INSIDE).name == "li"):
            continue  # inside a block already read (a paragraph in a list item, a table cell's content)
        _add(out, tag)
    doc = out.document()
    if not doc.blocks:  # text in bare divs: one paragraph per line of text
        for line in root.get_text("\n", strip=True).split("\n"):
            out.add("paragraph", line)
        doc = out.document()
    return doc
