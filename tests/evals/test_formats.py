"""Format invariance: a text unit rendered as PDF, DOCX and HTML reads back as the same paragraphs, and the
``tutor eval --formats`` table marks a format that strays from the text."""

from __future__ import annotations

import pytest

from tutor.evals.formats import table
from tutor.evals.render import render_course
from tutor.ingest.load import load_corpus

UNIT = """# Bread Basics

## Mixing

Flour, water, salt and yeast are mixed until the gluten forms a strong network that can hold the gas the yeast
makes. A dough that is kneaded for ten minutes rises higher than one that is only stirred together.

- Weigh every ingredient before you start mixing.
- Keep the salt away from the yeast at first.

## Baking

| Loaf | Oven (C) | Minutes |
|---|---|---|
| White tin | 220 | 30 |

A hot oven sets the crust before the crumb dries out, so bakers heat it well before the loaf goes in.
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    unit = root / "corpus" / "bread"
    unit.mkdir(parents=True)
    (unit / "unit.toml").write_text('title = "Bread"\n', encoding="utf-8")
    (unit / "bread.md").write_text(UNIT.replace("yeast\nmakes", "yeast makes"), encoding="utf-8")
    out = {"md": load_corpus(root / "corpus").docs[0]}
    for fmt in ("pdf", "docx", "html"):
        written = render_course(root / "corpus", root / fmt, fmt)
        assert [p.suffix for p in written] == [f".{fmt}"] and (root / fmt / "bread" / "unit.toml").exists()
        out[fmt] = load_corpus(root / fmt).docs[0]
    return out


def shape(doc):
    return [(b.kind, " ".join(doc.raw_text[b.start:b.end].replace("- ", "").replace("#", "").split()))
            for b in doc.blocks if b.kind in ("heading", "paragraph", "list")]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_a_rendered_unit_reads_back_as_the_same_blocks(rendered, fmt):
    text = shape(rendered["md"])
    expanded = []
    for kind, words in text:  # a text file's list is one block; a rendered list has one block per item
        expanded += [(kind, w.strip()) for w in words.split(". ") if w] if kind == "list" else [(kind, words)]
    got = [(k, w.rstrip(".")) for k, w in shape(rendered[fmt])]
    assert got == [(k, w.rstrip(".")) for k, w in expanded]
    assert [b.kind for b in rendered[fmt].blocks].count("table") == 1


def test_the_table_marks_a_format_that_strays_from_the_text():
    unit = "bread (dev)"
    base = {"hit@3": 0.9, "key_fact_coverage": 0.8, "citation_gold_precision": 0.7, "decline_accuracy": 0.5}
    figures = {"txt": {unit: base}, "pdf": {unit: dict(base)}, "html": {unit: {**base, "hit@3": 0.8}}}
    lines = table(figures)
    assert "| bread (dev) | hit@3 | 0.900 | 0.900 (+0.000) | 0.800 (-0.100) |" in lines
    assert "bread (dev) html hit@3: 0.800 vs txt 0.900" in lines[-1]
    assert "pdf" not in lines[-1]
    assert table({"txt": {unit: base}, "pdf": {unit: base}})[-1].startswith("every format within")
