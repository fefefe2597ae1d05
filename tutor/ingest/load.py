"""Corpus loading: the corpus folder -> units and ``SourceDoc`` s (raw text plus provenance), safely.

Only regular files inside the corpus folder are read: a link pointing outside it, a broken link, a FIFO or
device, an unreadable folder or a hidden file is skipped, and every skipped path is listed with its reason (a bad
file costs one warning line, never the ingest). Each document belongs to a unit (``units.py``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .readers import SkipFile, read
from .units import MANIFEST_FILE, Unit, read_unit, slug_for, title_from_text

log = logging.getLogger("tutor")


@dataclass(frozen=True)
class SourceDoc:
    source: str  # path relative to the corpus folder's parent, e.g. "corpus/economics/demand.md"
    raw_text: str
    sha256: str  # hash of the file's bytes
    title: str = ""  # the unit's title
    meta: dict = field(default_factory=dict)  # code, outcome from unit.toml
    unit: str = ""  # the unit's slug
    blocks: tuple = ()  # the reader's typed blocks (documents.blocks.Block); empty: read from the text's lines


@dataclass
class Corpus:
    docs: list[SourceDoc]
    units: dict[str, Unit]
    skipped: list[tuple[str, str]]  # (path, reason)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return name
    return "not a regular file"


def walk(root: Path, skipped: list[tuple[str, str]]) -> Iterator[Path]:
    """Regular files inside ``root``; everything else goes to ``skipped`` with its reason (and a warning, unless
    it is a hidden file such as .gitkeep)."""
    def skip(path, reason: str) -> None:
        if reason != "hidden":
            log.warning("skipped %s: %s", path, reason)
        skipped.append((str(path), reason))

    inside = root.resolve()
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
        except OSError as exc:
            skip(folder, f"unreadable folder ({exc.strerror or exc})")
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                skip(path, "hidden")
                continue
            if entry.is_symlink():
                target = path.resolve()
                if not target.exists():
                    skip(path, "broken link")
                    continue
                if not target.is_relative_to(inside):
                    skip(path, f"link to {target}, outside the corpus folder")
                    continue
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                skip(path, f"unreadable ({exc.strerror or exc})")
                continue
            if stat.S_ISDIR(mode):
                folders.append(path)
            elif stat.S_ISREG(mode):
                yield path
            else:
                skip(path, _kind(mode))


def load_corpus(root: Path) -> Corpus:
    """Every unit and every supported file under ``root``; bad files are skipped with one warning each."""
    skipped: list[tuple[str, str]] = []
    files = sorted(walk(root, skipped))
    units: dict[str, Unit] = {}
    docs: list[SourceDoc] = []
    for path in files:
        slug = slug_for(path, root)
        if slug not in units:
            units[slug] = read_unit(root / path.relative_to(root).parts[0], slug)
        unit = units[slug]
        if path.name == MANIFEST_FILE or (unit.attribution and path == root / slug / unit.attribution):
            continue  # the unit's description and attribution, not course text
        try:
            data = path.read_bytes()
            document = read(path, data)
        except (SkipFile, OSError) as exc:
            reason = f"unreadable ({exc.strerror or exc})" if isinstance(exc, OSError) else str(exc)
            log.warning("skipped %s: %s", path, reason)
            skipped.append((str(path), reason))
            continue
        if not unit.title:
            units[slug] = unit = Unit(**{**unit.to_dict(), "title": title_from_text(document.text) or slug})
        meta = {k: v for k in ("code", "outcome") if (v := getattr(unit, k))}
        docs.append(SourceDoc(_source(path, root), document.text, hashlib.sha256(data).hexdigest(), unit.title, meta,
                              slug, document.blocks))
    return Corpus(docs, {s: u for s, u in units.items() if any(d.unit == s for d in docs)}, sorted(skipped))


def load_file(path: Path, root: Path) -> SourceDoc:
    """One file of the corpus at ``root``, as a SourceDoc of its unit (SkipFile with the reason if unusable)."""
    docs = [d for d in load_corpus(root).docs if d.source == _source(path, root)]
    if not docs:
        raise SkipFile(f"{path} is not a readable course file under {root}")
    return docs[0]


def _source(path: Path, root: Path) -> str:
    return path.relative_to(root.parent).as_posix() if path.is_relative_to(root.parent) else str(path)
