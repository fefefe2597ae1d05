"""Acronyms and their long forms, from the text itself.

``defined`` finds the definitions a text writes out, in either order ("Long Form (LF)" or "LF (Long Form)"),
checked by initials the way abbreviation detectors (Schwartz and Hearst, 2003) do, so a heading or a person's
initials never become an acronym. ``expansions`` adds, for search only, acronyms a learner may type: capitalised
phrases keyed by their initials.

>>> defined("A Gross Domestic Product (GDP) rose. The 1950 study (by the Review Panel) ran.")
{'GDP': 'Gross Domestic Product'}
>>> defined("Ask the WHO (World Health Organization) and the positron emission tomography (PET) team.")
{'WHO': 'World Health Organization', 'PET': 'positron emission tomography'}
"""

from __future__ import annotations

import re

from .names import name_runs

_PAREN = re.compile(r"\(([^()]{1,120})\)")
USED = re.compile(r"\b([A-Z]{2,6})(?:['\u2019]s)?\b")


def _long_form(short: str, words_before: str) -> str | None:
    """Schwartz-Hearst: the shortest end of ``words_before`` holding every letter of ``short`` in order, the first
    at the start of a word; None when none does."""
    s, i = len(short) - 1, len(words_before) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (words_before[i].lower() != c or (s == 0 and i > 0 and words_before[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i, s = i - 1, s - 1
    long = words_before[words_before.rfind(" ", 0, i + 1) + 1:].strip()
    return long if len(long) > len(short) and short.lower() not in long.lower().split() else None


def _is_short(token: str) -> bool:
    return 2 <= len(token) <= 10 and token[0].isalnum() and sum(c.isupper() for c in token) >= 2


def defined(text: str) -> dict[str, str]:
    """{acronym: long form} for every definition the text writes out, first one wins."""
    found: dict[str, str] = {}
    for m in _PAREN.finditer(text):
        inside = re.sub(r"'s$", "", m.group(1).strip())
        before = text[:m.start()].rstrip()
        if _is_short(inside) and " " not in inside:  # "Long Form (LF)"
            words_before = before.split()[-min(len(inside) + 5, len(inside) * 2):]
            long = _long_form(inside, " ".join(words_before))
            if long:
                found.setdefault(inside, long)
        elif len(inside.split()) >= 2 and before.split():  # "LF (Long Form)"
            short = re.sub(r"'s$", "", before.split()[-1])
            if _is_short(short) and _long_form(short, inside) == inside:
                found.setdefault(short, inside)
    return found


def used(text: str) -> set[str]:
    """Upper-case words of 2-6 letters the text uses ("SCR", "SCR's")."""
    return set(USED.findall(text))


def expansions(texts: list[str]) -> dict[str, str]:
    """ACR -> long form for search: the texts' definitions; then capitalised phrases of 3-6 words keyed by their
    initials (a learner may type "EYFS" for a name the unit only writes out); an acronym the texts use without
    defining also matches a phrase with the same initials in another order."""
    found: dict[str, str] = {}
    uses: set[str] = set()
    by_initials: dict[str, str] = {}
    for text in texts:
        found.update({a: long for a, long in defined(text).items() if a not in found})
        uses |= used(text)
        for name in name_runs(text, connectors=frozenset(), numbers=False):
            ws = name.text.split()
            for n in range(3, min(6, len(ws)) + 1):
                for i in range(len(ws) - n + 1):
                    part = ws[i:i + n]
                    by_initials.setdefault("".join(w[0] for w in part).upper(), " ".join(part))
    for initials, phrase in by_initials.items():
        found.setdefault(initials, phrase)
    for acr in uses - set(found):
        for initials, phrase in by_initials.items():
            if sorted(initials) == sorted(acr):
                found[acr] = phrase
                break
    return found
