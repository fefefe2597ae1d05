"""Safeguarding signposting as data: ``policies/<name>.toml`` holds the contacts of one country or setting and the
three messages built from them, rendered strictly (a ``$name`` that is not a contact fails when the policy loads).

A policy file has a ``name``, a ``[contacts]`` table (``nspcc = "0808 800 5000"``) and a ``[messages]`` table:
``disclosure`` (shown first, instead of an answer), ``concern`` (one line shown beneath an answer) and
``passed_on`` (one line telling the learner their message may be passed to the safeguarding lead, shown with
either when the app has queued it for them); optionally ``emergency`` (one line that leads the disclosure message
when someone is in danger now). Optional ``[audiences.<who>]`` tables (``young_person``, ``parent``, ``adult``,
``worker``: ``heads.AUDIENCES``) give ``disclosure`` and ``concern`` in the words for that writer: a parent about
their own child, an adult learner about their own life (never sent to Childline). Without one, or when the
classifier is unsure who is writing, the general messages are shown.

>>> uk = load_policy("uk")
>>> uk.contacts["nspcc"], "116 123" in uk.disclosure, uk.concern.count("\\n"), "Lead" in uk.passed_on
('0808 800 5000', True, 0, True)
>>> "Childline" in uk.disclosure_for("adult"), uk.disclosure_for("unsure") == uk.disclosure
(False, True)
>>> uk.disclosure_for("parent", immediate=True).startswith(uk.emergency)
True
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from types import MappingProxyType
from typing import Mapping

from ..errors import ConfigError

POLICY_DIR = Path(__file__).with_name("policies")
MESSAGES = ("disclosure", "concern", "passed_on")
AUDIENCE_MESSAGES = ("disclosure", "concern")


@dataclass(frozen=True)
class Policy:
    name: str  # who it is for ("United Kingdom")
    contacts: Mapping[str, str]  # what a message may name: "nspcc" -> "0808 800 5000"
    disclosure: str  # rendered: shown first, instead of an answer
    concern: str  # rendered: one line shown beneath an answer
    passed_on: str  # rendered: one line, the learner told their message may be passed to the safeguarding lead
    emergency: str = ""  # rendered: one line leading the disclosure message when someone is in danger now
    audiences: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # who -> its disclosure and concern

    def disclosure_for(self, audience: str = "", immediate: bool = False) -> str:
        """The disclosure message for who is writing ("" or unknown: the general one), led by the emergency line
        when someone is in danger now."""
        text = self.audiences.get(audience, {}).get("disclosure", self.disclosure)
        return f"{self.emergency}\n{text}" if immediate and self.emergency else text

    def concern_for(self, audience: str = "") -> str:
        return self.audiences.get(audience, {}).get("concern", self.concern)


def known_policies() -> list[str]:
    """The policy names shipped with the tutor (the .toml files in ``policies/``)."""
    return sorted(p.stem for p in POLICY_DIR.glob("*.toml"))


def policy_path(name_or_path: str) -> Path:
    """``uk`` means ``policies/uk.toml``; anything ending in .toml is a path to a policy file."""
    if name_or_path.endswith(".toml"):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"No safeguarding policy file at {path}. Give a .toml file or one of: "
                              f"{', '.join(known_policies())}.")
        return path
    if name_or_path not in known_policies():
        raise ConfigError(f"Unknown safeguarding policy {name_or_path!r}. Known: {', '.join(known_policies())} "
                          f"(or give the path to a .toml file shaped like {POLICY_DIR / 'uk.toml'}).")
    return POLICY_DIR / f"{name_or_path}.toml"


def _render(where: Path, key: str, text: str, contacts: Mapping[str, str]) -> str:
    try:
        return Template(text.strip("\n")).substitute(contacts)
    except KeyError as exc:
        raise ConfigError(f"{where}: messages.{key} names ${exc.args[0]}, which is not a contact. "
                          f"Contacts: {', '.join(contacts)}.") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: messages.{key} has a stray $ ({exc}). Write $$ for a dollar sign.") from None


@lru_cache(maxsize=32)
def load_policy(name_or_path: str) -> Policy:
    """The named policy (``uk``), or the one in a .toml file, with its messages rendered."""
    path = policy_path(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML ({exc}). Fix it, or use one of: "
                          f"{', '.join(known_policies())}.") from None
    contacts, messages = data.get("contacts", {}), data.get("messages", {})
    missing = [f"messages.{key}" for key in MESSAGES if not isinstance(messages.get(key), str)]
    if not contacts or missing:
        raise ConfigError(f"{path} needs a [contacts] table and {', '.join(f'messages.{k}' for k in MESSAGES)}; "
                          f"missing: {', '.join(missing or ['contacts'])}. See {POLICY_DIR / 'uk.toml'}.")
    contacts = MappingProxyType({str(k): str(v) for k, v in contacts.items()})
    rendered = {key: _render(path, key, messages[key], contacts) for key in (*MESSAGES, "emergency") if key in messages}
    audiences = {who: {key: _render(path, f"audiences.{who}.{key}", text, contacts)
                       for key, text in table.items() if key in AUDIENCE_MESSAGES}
                 for who, table in data.get("audiences", {}).items()}
    lines = [(f"messages.{k}", rendered[k]) for k in ("concern", "passed_on", "emergency") if k in rendered]
    lines += [(f"audiences.{who}.concern", table["concern"]) for who, table in audiences.items() if "concern" in table]
    for key, text in lines:
        if "\n" in text:
            raise ConfigError(f"{path}: {key} must be one line (it is shown beneath a reply or above a message).")
    return Policy(name=str(data.get("name", path.stem)), contacts=contacts,
                  audiences=MappingProxyType({k: MappingProxyType(v) for k, v in audiences.items()}), **rendered)
