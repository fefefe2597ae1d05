"""Where a keyed answer sits in a section: verbatim spans first, else sentences sharing most of its content words."""

import re

# Same-length character folding, so offsets found in folded text are offsets in the original sentence.
FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "−": "-", "\u00a0": " "})
STOPWORDS = set("""a an the and or but nor of in on at to for from by with without into onto over under about
above below between among as is are was were be been being am do does did done have has had having it its this
that these those there their they them he she his her him we our you your i me my not no yes so than then too very
can could may might must shall should will would which who whom whose what when where why how all any both each
few more most other some such only own same also just one two three first second if because while during before
after again further once here out up down off true false none neither either following statement statements
example called known term refers following""".split())
OVERLAP_MIN = 0.6      # share of the answer's content words a sentence must hold
OVERLAP_TOP = 3        # at most this many overlap positives


def fold(s):
    return s.translate(FOLD).lower()


def stem(w):
    for suf in ("ies", "es", "s"):
        if len(w) > 4 and w.endswith(suf):
            return w[: -len(suf)] + ("y" if suf == "ies" else "")
    return w


def content_words(text):
    """Stemmed words of 3+ letters that are not stopwords (numbers and formulas are left to the verbatim rule)."""
    return {stem(w) for w in re.findall(r"[a-z][a-z'-]*[a-z]", fold(text)) if len(w) > 2 and w not in STOPWORDS}


def variants(answer):
    """The answer, then without its parentheticals, then each "(or X)" / "(also X)" alternative it names."""
    out = [answer]
    bare = re.sub(r"\s*\([^()]*\)", "", answer).strip()
    if bare and bare != answer:
        out.append(bare)
    out += [m.group(1).strip() for m in re.finditer(r"\((?:or|also|i\.e\.,?|e\.g\.,?)\s+([^()]+)\)", answer)]
    return out


def answer_pattern(answer):
    """A case-insensitive, whitespace-tolerant pattern for the answer as whole words; None if too slight."""
    core = fold(answer).strip().rstrip(".;:,!?").strip().strip("\"'").strip()
    if len(core) < 3 or not any(len(t) > 1 and t not in STOPWORDS for t in re.findall(r"[a-z0-9]+", core)):
        return None
    body = r"\s+".join(re.escape(t) for t in core.split())
    left = r"(?<![a-z0-9])" if core[0].isalnum() else ""
    right = r"(?![a-z0-9])" if core[-1].isalnum() else ""
    return re.compile(left + body + right)


def verbatim_spans(answer, sentences):
    pat = answer_pattern(answer)
    if pat is None:
        return []
    return [[i, m.start(), m.end()] for i, s in enumerate(sentences) for m in pat.finditer(fold(s))]


def overlap_scores(answer, sentences):
    """(sentence index, share of answer content words) for sentences at or above OVERLAP_MIN, best first."""
    words = content_words(answer)
    if not words:
        return []
    need = min(2, len(words))
    scored = []
    for i, s in enumerate(sentences):
        shared = len(words & content_words(s))
        if shared >= need and shared / len(words) >= OVERLAP_MIN:
            scored.append((i, round(shared / len(words), 3)))
    return sorted(scored, key=lambda x: (-x[1], x[0]))[:OVERLAP_TOP]


def locate(answer, sentences):
    """positives, rule ("verbatim" | "overlap" | "none"), spans and overlap scores of an answer in sentences."""
    for text in variants(answer):
        spans = verbatim_spans(text, sentences)
        if spans:
            return {"positives": sorted({s[0] for s in spans}), "match_rule": "verbatim", "spans": spans,
                    "overlap": [], "matched_text": text}
    scored = overlap_scores(answer, sentences)
    if scored:
        return {"positives": sorted(i for i, _ in scored), "match_rule": "overlap", "spans": [],
                "overlap": [[i, sc] for i, sc in scored], "matched_text": None}
    return {"positives": [], "match_rule": "none", "spans": [], "overlap": [], "matched_text": None}


def holds_answer(answer, sentences):
    return locate(answer, sentences)["match_rule"] != "none"
