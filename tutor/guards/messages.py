"""User-facing messages as data (``messages.toml``), rendered strictly.

>>> message("premise", claim="the moon is cheese")
'Your question assumes something the unit does not say ("the moon is cheese"). Here is what the unit does say.'
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from string import Template


@lru_cache(maxsize=1)
def _messages() -> dict[str, str]:
    return tomllib.loads(Path(__file__).with_name("messages.toml").read_text(encoding="utf-8"))


def message(name: str, **values: str) -> str:
    """The named message with its $values filled in; a missing value raises KeyError."""
    return Template(_messages()[name].strip("\n")).substitute(**values)


def topics_line(name: str, topics: list[str]) -> str:
    """" The nearest topics it does cover: A, B." (or "" when there are no topics)."""
    return message(name, topics=", ".join(topics)) if topics else ""
