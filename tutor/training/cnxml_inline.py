"""CNXML inline text: MathML, links, lists and references rendered as plain text.

Adapted from /work/shared/units/cnxml_to_text.py (the converter that produced the shared OpenStax units):
local, classes, norm_space, math_text, math_inline, end_sentence, number_elements and the inline half of its
Converter are copied from there; the split into two files and the extra question-section classes are ours.
"""

import re

CNX = "http://cnx.rice.edu/cnxml"
MD = "http://cnx.rice.edu/mdml"
COL = "http://cnx.rice.edu/collxml"

# Section classes holding questions, answers, link lists or references (never part of a section's text).
DROP_SECTION_CLASSES = {
    "review-questions", "critical-thinking", "personal-application",
    "self-check-questions", "problems", "references", "further-research",
    "section-quiz", "short-answer", "free-response", "multiple-choice",
    "interactive-exercise", "section-exercises", "check-understanding",
    "practice", "exercises", "assessment", "bibliography",
    "fill-in-the-blank", "true-false", "matching", "reflection-questions",
}
# Note (feature box) classes that are only pointers to outside material.
DROP_NOTE_CLASSES = {"link-to-learning", "interactive", "media-2",
                     "linktolearning", "link-to-learning-box", "linkup"}
SUMMARY_CLASSES = {"summary", "section-summary", "key-concepts"}
BINARY_OPS = {"=", "+", "−", "-", "×", "÷", "<", ">", "≤", "≥", "≈", "≠",
              "±", "→", "⇒", "·"}
REF = "\x00REF:%s\x00"
LEAF_MATH = ("mi", "mn", "mtext", "ci", "cn", "ms")


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def classes(el):
    return set((el.get("class") or "").split())


def norm_space(s):
    s = s.replace("\u00a0", " ").replace("\u200b", "")
    s = re.sub(r"[ \t\r\n]+", " ", s)
    return s.strip()


def _wrap(x):
    return "(%s)" % x if re.search(r"[ +\-−×÷=]", x) else x


def _math_pair(t, kids):
    a, b = math_text(kids[0]).strip(), math_text(kids[1]).strip()
    if t == "mfrac":
        return "%s/%s" % (_wrap(a), _wrap(b))
    if t == "msup":
        return "%s^%s" % (a, b)
    if t == "msub":
        return a + b if re.fullmatch(r"\d+", b) else "%s_%s" % (a, b)
    return "root%s(%s)" % (b, a)   # mroot


def math_text(el):
    """Render a MathML element as readable inline text."""
    t = local(el.tag)
    kids = list(el)
    if t in LEAF_MATH:
        return norm_space("".join(el.itertext()))
    if t == "mo":
        op = norm_space("".join(el.itertext()))
        return " %s " % op if op in BINARY_OPS else op
    if t == "mspace":
        return " "
    if t in ("mfrac", "msup", "msub", "mroot") and len(kids) == 2:
        return _math_pair(t, kids)
    if t == "msubsup" and len(kids) == 3:
        return "%s_%s^%s" % tuple(math_text(k).strip() for k in kids)
    if t == "msqrt":
        return "√(%s)" % "".join(math_text(k) for k in kids).strip()
    if t == "mfenced":
        o, c = el.get("open", "("), el.get("close", ")")
        sep = el.get("separators", ",")
        return o + (sep[:1] + " ").join(math_text(k).strip() for k in kids) + c
    if t in ("mtable", "mtr"):
        return ("; " if t == "mtable" else " ").join(math_text(k).strip() for k in kids)
    if t in ("annotation", "annotation-xml"):
        return ""
    if t == "semantics":
        return math_text(kids[0]) if kids else ""
    return "".join(math_text(k) for k in kids)


def math_inline(el):
    return re.sub(r" {2,}", " ", math_text(el)).strip()


def end_sentence(s):
    s = s.strip()
    return s if s[-1:] in ".?!:" else s + "."


def number_elements(root, prefix="", start_fig=0, start_tab=0):
    """Number figures and tables in document order (skipping unnumbered ones and any inside exercises)."""
    nums = {}
    counts = {"figure": start_fig, "table": start_tab}

    def visit(el, in_ex):
        t = local(el.tag)
        in_ex = in_ex or t == "exercise"
        if t in ("figure", "table") and not in_ex and "unnumbered" not in classes(el):
            counts[t] += 1
            if el.get("id"):
                nums[el.get("id")] = "%s %s%d" % (t.capitalize(), prefix, counts[t])
        for c in el:
            visit(c, in_ex)
    visit(root, False)
    return nums, counts


class InlineText:
    """Inline rendering of one module's elements (text of an element and its descendants)."""

    def __init__(self, root, numbers=None, fig_prefix=""):
        self.root = root
        self.fig_prefix = fig_prefix
        self.ids = {el.get("id"): el for el in root.iter() if el.get("id")}
        self.numbers = numbers or number_elements(root, fig_prefix)[0]

    def inline(self, el):
        parts = [el.text or ""]
        for c in el:
            parts.append(self.inline_child(c))
            parts.append(c.tail or "")
        return "".join(parts)

    def inline_child(self, c):
        t = local(c.tag)
        if t in ("footnote", "media", "image", "label", "exercise", "figure", "table", "glossary"):
            return ""
        if t == "math":
            return math_inline(c)
        if t == "newline":
            return " "
        if t == "link":
            txt = self.inline(c)
            if norm_space(txt):
                return txt
            return REF % c.get("target-id") if c.get("target-id") else ""
        if t == "list":
            items = [norm_space(self.inline(i)) for i in c if local(i.tag) == "item"]
            return " " + "; ".join(x for x in items if x) + " "
        if t in ("sup", "sub"):
            raw = self.inline(c)
            inner = norm_space(raw)
            pad = " " if raw[-1:].isspace() else ""
            if t == "sup" and re.fullmatch(r"[0-9]+|[−-][0-9]+", inner):
                return "^" + inner.replace("−", "-") + pad
            return inner + pad
        return self.inline(c)

    def _ref_name(self, m):
        tid = m.group(1)
        if tid in self.numbers:
            return self.numbers[tid]
        el = self.ids.get(tid)
        if el is None:
            return "\x01"          # unknown target: removed below
        if local(el.tag) == "section":
            ttl = el.find("{%s}title" % CNX)
            if ttl is not None:
                return "the section “%s”" % norm_space(self.inline(ttl))
        return "the " + local(el.tag)

    def resolve_refs(self, s):
        s = re.sub("\x00REF:([^\x00]*)\x00", self._ref_name, s)
        s = re.sub(r"\s*\(\s*\x01\s*\)", "", s)
        return s.replace("\x01", "")

    def text(self, el):
        s = norm_space(self.resolve_refs(self.inline(el)))
        s = re.sub(r"\s+([,.;:!?)])", r"\1", s)
        return re.sub(r"\(\s+", "(", s)
