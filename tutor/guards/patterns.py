"""Regular expressions kept as data: ``patterns/<name>.toml`` holds lists (or single strings) of case-insensitive
patterns."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def patterns(name: str) -> dict[str, list[re.Pattern]]:
    data = tomllib.loads((Path(__file__).parent / "patterns" / f"{name}.toml").read_text(encoding="utf-8"))
    flags = re.IGNORECASE | re.MULTILINE
    return {key: [re.compile(p, flags) for p in (value if isinstance(value, list) else [value])]
            for key, value in data.items()}


def any_match(found: list[re.Pattern], text: str) -> bool:
    return any(p.search(text) for p in found)
