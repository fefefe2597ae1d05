"""HTML for the web app: answers with clickable ``[n]`` markers, the sources panel, the glossary, quiz cards and the
review views. Pure functions of the pipeline's output types, so they are tested without a server.

Every marker is a link to its passage in the sources panel: ``[3]`` in the answer to turn 2 becomes
``<a class="cite" href="#src-2-3">[3]</a>`` and the passage card has ``id="src-2-3"``. ``HEAD`` adds one click
handler that scrolls the panel to the passage and highlights it (Gradio's sanitiser keeps ``class`` and ``href``
but drops ``data-*`` attributes, so the link target carries all it needs).
"""

from __future__ import annotations

import dataclasses
import re
from html import escape
from pathlib import Path, PurePath

from ..study.glossary import GlossaryEntry
from ..types import location, shown_once

_MARKERS = re.compile(r"\s?\[(\d+(?:\s*,\s*\d+)*)\]")
_PHONE = re.compile(r"\b(?:999|0\d{3} \d{3} \d{4}|0\d{3} \d{4}|116 123)\b")
ERROR_GENERIC = "Something went wrong on our side; please try again."
DECLINED_TITLE = {"scope": "Not covered by the unit", "injection": "I can only answer from the unit"}


def answerer(backend: str) -> str:
    """The badge text for a backend name: ``local:smollm2`` -> ``local model``."""
    kind = backend.split(":", 1)[0]
    return {"extractive": "quotes from the unit", "local": "local model", "hosted": "hosted model"}.get(kind, backend)


def cite(turn: int, n: int, label: str | None = None) -> str:
    return f'<a class="cite" href="#src-{turn}-{n}" title="Show passage {n}">{label or f"[{n}]"}</a>'


def link_markers(text: str, turn: int) -> str:
    """Escape the text and turn each ``[n]`` or ``[n, m]`` into links to the passages."""
    def repl(m: re.Match) -> str:
        return " " + "".join(cite(turn, int(n)) for n in re.split(r"\s*,\s*", m.group(1)))
    return _MARKERS.sub(repl, escape(text))


def _name(source: str) -> str:
    return PurePath(source).name


def streaming(text: str, turn: int, notice: str = "", direct: str = "", signpost: str = "") -> str:
    """The answer while it streams in: any safeguarding signposting first, then the verified sentences so far (and
    the direct answer, once checked)."""
    if signpost and text.startswith(signpost):
        text = text[len(signpost):].lstrip("\n")  # a disclosure's signposting, shown above as such
    body = link_markers(text, turn) if text.strip() else '<span class="pending">Finding passages…</span>'
    note = f'<p class="notice">{escape(notice)}</p>' if notice else ""
    head = f'<p class="direct">{link_markers(direct, turn)}</p>' if direct else ""
    first = _signpost(signpost) if signpost else ""
    return f'{first}<div class="answer streaming">{note}{head}<p>{body}</p></div>'


def _phones(text: str) -> str:
    """Escaped text with each phone number a tel: link."""
    return _PHONE.sub(lambda m: f'<a class="phone" href="tel:{m.group().replace(" ", "")}">{m.group()}</a>',
                      escape(text))


def _safeguarding(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    items = "".join(f"<li>{_phones(ln.lstrip('- '))}</li>" for ln in lines if ln.startswith("-"))
    rest = [_phones(ln) for ln in lines if not ln.startswith("-")]
    head, tail = (rest[0], rest[1:]) if rest else ("", [])
    return ('<div class="answer safeguarding" role="alert"><p class="title">If a child may be at risk, act now</p>'
            f"<p>{head}</p><ul>{items}</ul>" + "".join(f"<p>{t}</p>" for t in tail) + "</div>")


def _signpost(text: str) -> str:
    """Safeguarding signposting: the full message as a block, a possible concern's one line as a note."""
    if "\n" in text.strip():
        return _safeguarding(text)
    return f'<div class="answer safeguarding concern" role="note"><p class="signpost">{_phones(text)}</p></div>'


def answer_html(answer, turn: int) -> str:
    """A finished answer: any safeguarding signposting first, then text with markers, badges and a sources line;
    declines and safeguarding look different."""
    first = _signpost(answer.signposting) if getattr(answer, "signposting", "") else ""
    if answer.status == "safeguarding":
        first = first or _safeguarding(answer.answer)
        if not answer.sentences:
            return first
        study = answer.answer.split("\n\n", 1)[-1] if "\n\n" in answer.answer else answer.answer
        return first + answer_html(dataclasses.replace(answer, status="answered", answer=study, signposting=""), turn)
    if answer.status == "declined":
        title = DECLINED_TITLE.get(answer.reason, DECLINED_TITLE["scope"])
        return (f'{first}<div class="answer declined"><p class="title">{title}</p><p>{escape(answer.answer)}</p>'
                f'<p class="hint">Try rephrasing, or ask about something the unit covers.</p></div>')
    note = f'<p class="notice">{escape(answer.notice)}</p>' if answer.notice else ""
    files = sorted({_name(c.source) for c in answer.citations})
    one_file = len(files) == 1
    sources = " · ".join(cite(turn, c.n, f"[{c.n}] " + ("" if one_file else f"{escape(c.unit)}: {escape(_name(c.source))} ")
                              + "".join(f"{escape(x)} › " for x in (c.section, c.page and f"page {c.page}") if x)
                              + f"¶{c.paragraph}") for c in answer.citations)
    label = f"Sources ({escape(answer.citations[0].unit)}: {escape(files[0])})" if one_file else "Sources"
    text = answer.answer
    direct = ""
    if getattr(answer, "direct", "") and "\n" in text:
        first, text = text.split("\n", 1)
        direct = f'<p class="direct">{link_markers(first, turn)}</p>'
    css = "answer answered" if getattr(answer, "on_question", True) else "answer answered closest"
    return (f'{first}<div class="{css}">{note}{direct}<p>{link_markers(text, turn)}</p>'
            f'<p class="sources-line">{label}: {sources}</p><p class="badges">{badges(answer)}</p></div>')


def badges(answer) -> str:
    """Who wrote it; whether each sentence is backed by its passage ("supported"); whether the answer contains
    what was asked ("on the question") or is only the closest the unit comes."""
    out = f'<span class="badge answerer">{escape(answerer(answer.backend))}</span>'
    out += ('<span class="badge verified">every sentence supported by its passage</span>' if answer.verified
            else '<span class="badge unverified">some sentences not verified</span>')
    if not getattr(answer, "on_question", True):
        return out + '<span class="badge closest">closest passages: may not answer it directly</span>'
    if getattr(answer, "direct", ""):
        out += '<span class="badge direct">direct answer checked against its sentence</span>'
    return out


def error_html(message: str) -> str:
    return f'<div class="answer error"><p>{escape(message)}</p></div>'


def _highlight(text: str, quotes: list[str]) -> str:
    """Escape ``text`` and wrap each quote found in it in ``<mark>``."""
    spans = sorted({(text.find(q), text.find(q) + len(q)) for q in quotes if q and q in text})
    out, pos = [], 0
    for a, b in spans:
        if a >= pos:
            out += [escape(text[pos:a]), f'<mark class="evidence">{escape(text[a:b])}</mark>']
            pos = b
    return "".join(out) + escape(text[pos:])


def evidence_by_passage(answer) -> dict[int, list[str]]:
    """{n: the passage sentences that support the answer's sentences citing passage n}."""
    out: dict[int, list[str]] = {}
    for s in getattr(answer, "sentences", []):
        for n in s.citations:
            out.setdefault(n, []).append(s.evidence)
    return out


def passage_card(c, turn: int | None, evidence: list[str] = (), cited: bool = False) -> str:
    """A numbered passage (a ``Citation`` or its dict); ``turn`` None leaves out the anchor id. Its relevance is said
    in words (used in the answer, or only related), never as the retrieval's fusion score."""
    d = c if isinstance(c, dict) else c.__dict__
    css = "passage cited" if cited else "passage"
    anchor = f' id="src-{turn}-{d["n"]}"' if turn is not None else ""
    unit = f"{escape(where)} · " if (where := location(d.get("unit") or "", d.get("section") or "", d.get("page") or 0)) else ""
    return (f'<div class="{css}"{anchor}><div class="phead"><span class="num">[{d["n"]}]</span> '
            f'{unit}{escape(_name(d["source"]))} · paragraph {d["paragraph"]} · '
            f'{"used in the answer" if cited else "related passage"}'
            f'</div><p>{_highlight(d["display"] or d["text"], list(evidence))}</p></div>')


def sources_block(passages, turn: int, answer=None) -> str:
    """One turn's numbered passages, overlapping ones once; after the answer, the cited ones are marked and their
    evidence highlighted."""
    evidence = evidence_by_passage(answer) if answer is not None else {}
    cited = {c.n for c in answer.citations} if answer is not None else set()
    cards = "".join(passage_card(p, turn, evidence.get(p.n, []), p.n in cited) for p in shown_once(passages, cited))
    return f'<div class="turn" id="turn-{turn}"><p class="turn-title">Passages for question {turn}</p>{cards}</div>'


def sources_panel(blocks: list[str]) -> str:
    """All turns' passages, newest first and open; earlier turns folded away (a marker click unfolds them)."""
    if not blocks:
        return ('<div id="sources" class="sources"><p class="empty">The passages an answer is drawn from appear here. '
                "Click a [n] in an answer to see its passage.</p></div>")
    newest, older = blocks[-1], blocks[:-1]
    folded = "".join(f"<details><summary>Earlier question {i + 1}</summary>{b}</details>"
                     for i, b in reversed(list(enumerate(older))))
    return f'<div id="sources" class="sources">{newest}{folded}</div>'


def about_html(title: str, attribution: str) -> str:
    """What the learner is studying, and the unit's licence and attribution when it has one."""
    note = (f'<details><summary>Source and licence</summary><pre class="attribution">{escape(attribution)}</pre>'
            "</details>") if attribution else ""
    return f'<div class="about"><p>Answering from: <b>{escape(title)}</b></p>{note}</div>'


def signed_in_html(name: str, role: str = "") -> str:
    """Who an LTI launch signed in, from their course."""
    return f'<p class="signed-in">Signed in from your course as <b>{escape(name)}</b>{escape(role)}</p>'


def glossary_html(entries: list[GlossaryEntry]) -> str:
    if not entries:
        return '<p class="glossary empty">No acronyms are defined in this unit.</p>'
    rows = "".join(
        f'<li><b>{escape(e.acronym)}</b>: {escape(e.long_form)} <span class="gcite">({escape(_name(e.source))}, '
        f'paragraph {e.paragraph}: “{_highlight(e.sentence, [e.long_form])}”)</span></li>' for e in entries)
    return f'<ul class="glossary">{rows}</ul>'


def review_rows(chats: list[dict]) -> list[list]:
    return [[c["id"], c["created"].replace("T", " ").rstrip("Z"), c["question"][:120], c["status"],
             c["backend"] or c["reason"],
             "yes" if c["verified"] else "no", c["verdicts"]] for c in chats]


def review_detail(chat: dict) -> str:
    """One logged answer for review: each sentence beside the passages it cites, with its support score."""
    a = chat["answer"]
    head = (f'<div class="review"><p><b>#{chat["id"]}</b> · {escape(chat["created"])} · {escape(chat["status"])} · '
            f'{escape(chat["backend"] or chat["reason"])}</p><p class="q">Q: {escape(chat["question"])}</p>')
    if chat["history"]:
        head += '<p class="hist">Earlier questions: ' + " / ".join(escape(h) for h in chat["history"]) + "</p>"
    if chat["status"] != "answered":
        return head + f'<p class="a">{escape(a["answer"])}</p><p>Reason: {escape(a.get("detail") or a.get("notice") or chat["status"])}</p></div>'
    by_n = {c["n"]: c for c in a.get("citations", [])}
    rows = []
    for i, s in enumerate(a.get("sentences", [])):
        ok = "supported" if s["supported"] else "NOT supported"
        cards = "".join(passage_card(by_n[n], None, [s.get("evidence", "")], True) for n in s["citations"] if n in by_n)
        rows.append(f'<div class="rrow"><div class="rsent"><b>S{i + 1}</b> {escape(s["text"])}<br><span class="support">'
                    f'support {s["support"]:.2f} ({ok})</span></div><div class="rcards">{cards}</div></div>')
    return head + "".join(rows) + "</div>"


def summary_md(summary: dict) -> str:
    def pct(x):
        return "n/a" if x is None else f"{x:.0%}"
    lines = [f"**Citation accuracy:** {pct(summary['accuracy'])} ({summary['counts']['correct']} of "
             f"{summary['verdicts']} citation verdicts correct; {summary['counts']['wrong']} wrong, "
             f"{summary['counts']['missing-better-passage']} missing a better passage)"]
    for backend, b in summary["by_backend"].items():
        lines.append(f"- {answerer(backend)} (`{backend}`): {pct(b['accuracy'])} of {b['verdicts']}")
    ag = summary["agreement"]
    lines.append(f"**Verifier-tutor agreement:** {pct(ag['rate'])} ({ag['agree']} of {ag['compared']} citations: the "
                 "verifier's supported/unsupported matches the tutor's correct/not correct)")
    lines.append(f"{summary['answers_reviewed']} of {summary['logged']} logged answers reviewed.")
    return "\n\n".join(lines)


STATIC = Path(__file__).with_name("static")
CSS = (STATIC / "app.css").read_text(encoding="utf-8")
HEAD = "<script>\n" + (STATIC / "app.js").read_text(encoding="utf-8") + "</script>"
