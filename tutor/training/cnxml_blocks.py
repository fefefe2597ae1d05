"""CNXML blocks: a module's body as a list of (kind, payload) blocks, question sections left out.

Adapted from the block half of the Converter in /work/shared/units/cnxml_to_text.py; `block` is split into
smaller methods, feature-box labels come from the file only, and a section that holds nothing but exercises
is dropped whatever its class.
"""

import xml.etree.ElementTree as ET

from tutor.training.cnxml_inline import (CNX, DROP_NOTE_CLASSES, DROP_SECTION_CLASSES, MD, SUMMARY_CLASSES,
                                         InlineText, classes, end_sentence, local, math_inline, norm_space)

BLOCK_TAGS = {"para", "list", "figure", "table", "note", "equation", "section", "quote", "example"}
CONTAINERS = ("quote", "example", "div", "span", "preformat", "code", "rule", "statement", "commentary")
SKIPPED = ("exercise", "media", "image", "glossary", "title", "label", "footnote", "metadata")


def only_exercises(section):
    kids = [k for k in section if local(k.tag) != "title"]
    return bool(kids) and all(local(k.tag) == "exercise" for k in kids)


class Converter(InlineText):
    def __init__(self, root, numbers=None, fig_prefix=""):
        super().__init__(root, numbers, fig_prefix)
        self.blocks = []

    def add(self, kind, payload):
        if kind in ("p", "caption") and not payload:
            return
        self.blocks.append((kind, payload))

    def heading(self, level, text):
        if text:
            self.blocks.append(("h", (level, text)))

    def walk(self, el, level):
        for c in el:
            self.block(c, level)

    def block(self, c, level):
        t = local(c.tag)
        handler = {"section": self.section, "para": self.para, "list": self.list_block, "note": self.note,
                   "equation": self.equation, "definition": self.definition}.get(t)
        if handler:
            handler(c, level)
        elif t == "figure":
            self.figure(c)
        elif t == "table":
            self.table(c)
        elif t in CONTAINERS:
            self.container(c, level)
        elif t not in SKIPPED:
            self.add("p", self.text(c))   # unknown element: keep its text if any

    def section(self, c, level):
        cls = classes(c)
        if cls & DROP_SECTION_CLASSES or only_exercises(c):
            return
        title = c.find("{%s}title" % CNX)
        htext = self.text(title) if title is not None else ""
        if cls & SUMMARY_CLASSES and not htext:
            htext = "Summary"
        self.heading(level, htext)
        for k in c:
            if k is not title:
                self.block(k, level + 1)

    def note(self, c, level):
        if classes(c) & DROP_NOTE_CLASSES:
            return
        label, title = c.find("{%s}label" % CNX), c.find("{%s}title" % CNX)
        head = [h for h in (self.text(x) for x in (label, title) if x is not None) if h]
        if head:
            self.heading(level, ": ".join(head))
        for k in c:
            if k is not label and k is not title:
                self.block(k, level + 1)

    def equation(self, c, level):
        m = "".join(math_inline(k) if local(k.tag) == "math" else self.text(k)
                    for k in c if local(k.tag) != "label")
        self.add("p", norm_space(m))

    def definition(self, c, level):
        term, meaning = c.find("{%s}term" % CNX), c.find("{%s}meaning" % CNX)
        if term is not None and meaning is not None:
            self.add("p", "%s: %s" % (self.text(term), self.text(meaning)))

    def container(self, c, level):
        if not any(local(k.tag) in BLOCK_TAGS for k in c):
            self.add("p", self.text(c))
            return
        title = c.find("{%s}title" % CNX)
        if title is not None:
            self.heading(level, self.text(title))
        for k in c:
            if k is not title:
                self.block(k, level + 1)

    def para(self, p, level):
        """A para may hold block children (lists, figures, equations...): split around them."""
        title = p.find("{%s}title" % CNX)
        if title is not None:
            self.heading(level, self.text(title))
        buf = ET.Element("para")
        buf.text = p.text
        for c in p:
            if c is title:
                continue
            t = local(c.tag)
            if t in ("list", "figure", "table", "equation", "note") or (t == "quote" and c.get("display") == "block"):
                self.add("p", self.text(buf))
                self.block(c, level)
                buf = ET.Element("para")
                buf.text = c.tail
            else:
                buf.append(c)
        self.add("p", self.text(buf))

    def list_items(self, lst):
        out = []
        for it in lst:
            if local(it.tag) != "item":
                continue
            shell = ET.Element("item")
            shell.text = it.text
            for k in it:
                if local(k.tag) != "list":
                    shell.append(k)
            txt = self.text(shell)
            if txt:
                out.append(txt)
            for n in (k for k in it if local(k.tag) == "list"):
                out.extend(self.list_items(n))
        return out

    def list_block(self, lst, level):
        title = lst.find("{%s}title" % CNX)
        if title is not None:
            self.add("p", self.text(title))
        items = self.list_items(lst)
        if items:
            self.add("list", items)

    def figure(self, fig):
        num = self.numbers.get(fig.get("id"), "")
        caps = []
        title = fig.find("{%s}title" % CNX)
        if title is not None and self.text(title):
            caps.append(end_sentence(self.text(title)))
        for cap in [fig.find("{%s}caption" % CNX)] + [s.find("{%s}caption" % CNX)
                                                    for s in fig.findall("{%s}subfigure" % CNX)]:
            if cap is not None and self.text(cap):
                caps.append(self.text(cap))
        if caps:
            self.add("caption", ((num + ". ") if num else "") + " ".join(caps))

    def table(self, tab):
        num = self.numbers.get(tab.get("id"), "")
        title = tab.find("{%s}title" % CNX)
        head = num
        if title is not None and self.text(title):
            head = (num + ". " if num else "") + self.text(title)
        rows = []
        for tg in tab.iter("{%s}tgroup" % CNX):
            for part in tg:
                if local(part.tag) in ("thead", "tbody", "tfoot"):
                    for row in part.findall("{%s}row" % CNX):
                        rows.append([self.text(e).replace("|", "/") for e in row if local(e.tag) == "entry"])
        cap = tab.find("{%s}caption" % CNX)
        self.add("table", (head, rows, self.text(cap) if cap is not None else ""))

    def convert(self):
        """Title, learning objectives (abstract), body and key terms as blocks."""
        title = self.root.find("{%s}title" % CNX)
        self.doc_title = self.text(title) if title is not None else ""
        meta = self.root.find("{%s}metadata" % CNX)
        abstract = meta.find("{%s}abstract" % MD) if meta is not None else None
        if abstract is not None and len(abstract):
            self.heading(2, "Learning Objectives")
            self.walk(abstract, 3)
        content = self.root.find("{%s}content" % CNX)
        if content is not None:
            self.walk(content, 2)
        gloss = self.root.find("{%s}glossary" % CNX)
        for d in (gloss.findall("{%s}definition" % CNX) if gloss is not None else []):
            self.definition(d, 2)
        return self.blocks
