"""Units of a course: ``corpus/<unit>/...`` is one unit (any files of the supported formats, read recursively);
a bare file directly in ``corpus/`` is a unit of its own. An optional ``unit.toml`` in a unit's folder describes
it; without one, the title comes from the text.

    # corpus/economics/unit.toml
    title = "Demand, Supply, and Equilibrium"
    code = "ECON 3.1"                  # optional
    outcome = ""                       # optional
    language = "en"
    safeguarding_policy = "uk"         # the signposting policy (tutor/guards/policies/<name>.toml)
    attribution = "SOURCE.md"          # licence and attribution: shown with the unit, never indexed

>>> Unit.from_toml("econ", 'title = "Markets"\\nattribution = "SOURCE.md"').title
'Markets'
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import ConfigError

MANIFEST_FILE = "unit.toml"
KEYS = {"title", "code", "outcome", "language", "safeguarding_policy", "attribution"}


@dataclass(frozen=True)
class Unit:
    slug: str  # folder name (or file stem): how the CLI, the app and citations name it
    title: str = ""
    code: str = ""
    outcome: str = ""
    language: str = "en"
    safeguarding_policy: str = ""  # empty: the deployment's TUTOR_SAFEGUARDING_POLICY
    attribution: str = ""  # a file in the unit's folder (not indexed)

    @classmethod
    def from_toml(cls, slug: str, text: str, where: str = "unit.toml") -> "Unit":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where} is not valid TOML ({exc}). Fix it or remove it.") from None
        unknown = set(data) - KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown keys {', '.join(sorted(unknown))}. Known: {', '.join(sorted(KEYS))}.")
        return cls(slug=slug, **{k: str(v) for k, v in data.items()})

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def label(self) -> str:
        return self.title or self.slug


def slug_for(path: Path, root: Path) -> str:
    """The unit a corpus file belongs to: its top folder under the corpus, or its own stem for a bare file."""
    rel = path.relative_to(root)
    name = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "unit"


def read_unit(folder: Path, slug: str) -> Unit:
    """The unit described by ``folder/unit.toml``, or a bare Unit when there is none (title from the text)."""
    path = folder / MANIFEST_FILE
    if folder.is_dir() and path.is_file():
        return Unit.from_toml(slug, path.read_text(encoding="utf-8"), str(path))
    return Unit(slug=slug)


def title_from_text(text: str) -> str:
    """A unit's title when unit.toml gives none: its first line, when that reads like a title."""
    first = next((line.strip(" #\t") for line in text.splitlines() if line.strip()), "")
    return first if 0 < len(first) <= 120 and not first.endswith((".", ":", ";", ",")) else ""
