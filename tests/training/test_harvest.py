"""The reading-dataset harvester on a tiny fake CNXML book kept in a git repository."""

import json
import subprocess

import pytest

from tutor.training.harvest import build

CNXML = """<document xmlns="http://cnx.rice.edu/cnxml" xmlns:md="http://cnx.rice.edu/mdml">
<title>{title}</title>
<metadata><md:content-id>{mid}</md:content-id></metadata>
<content>
<para id="p1">{body}</para>
<section id="s9" class="review-questions"><title>Review Questions</title>
{exercises}
</section>
</content>
</document>"""
MC = """<exercise id="{eid}"><problem id="{eid}p"><para id="{eid}q">{stem}</para>
<list id="{eid}l" list-type="enumerated" number-style="lower-alpha">{items}</list></problem>
<solution id="{eid}s"><para id="{eid}a">{key}</para></solution></exercise>"""
SHORT = """<exercise id="{eid}"><problem id="{eid}p"><para id="{eid}q">{stem}</para></problem>
<solution id="{eid}s"><para id="{eid}a">{answer}</para></solution></exercise>"""
UNKEYED = """<exercise id="e-open"><problem id="e-open-p"><para id="e-open-q">Why?</para></problem></exercise>"""
COLLECTION = """<col:collection xmlns="http://cnx.rice.edu/collxml" xmlns:md="http://cnx.rice.edu/mdml"
 xmlns:col="http://cnx.rice.edu/collxml"><metadata><md:title>{title}</md:title>
<md:license url="http://creativecommons.org/licenses/by/4.0/">Creative Commons Attribution License</md:license>
</metadata><col:content><col:subcollection><md:title>Chapter One</md:title><col:content>{modules}
</col:content></col:subcollection></col:content></col:collection>"""


def mc(eid, stem, options, key):
    return MC.format(eid=eid, stem=stem, items="".join(f"<item>{o}</item>" for o in options), key=key)


def module(title, mid, body, exercises):
    return CNXML.format(title=title, mid=mid, body=body, exercises="".join(exercises))


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   check=True, capture_output=True)


def write_book(repo):
    files = {
        "LICENSE": "Attribution 4.0 International\n\nText.\n",
        "collections/a.collection.xml": COLLECTION.format(
            title="Tiny A", modules='<col:module document="m1"/><col:module document="m2"/>'),
        "collections/b.collection.xml": COLLECTION.format(title="Tiny B", modules='<col:module document="m3"/>'),
        "modules/m1/index.cnxml": module("Traces", "m1", "The Engram is the physical trace of memory. Lashley "
                                         "searched for it in rats for many years.",
                                         [mc("e1", "The physical trace of memory is the ________.",
                                             ["schema", "engram", "cue"], "B"), UNKEYED]),
        "modules/m2/index.cnxml": module("Storage", "m2", "Memory is stored by consolidation over time. Rats "
                                         "and people use a schema to organise memory.",
                                         [SHORT.format(eid="e2", stem="How is memory stored over time?",
                                                       answer="consolidation (or storage)")]),
        "modules/m3/index.cnxml": module("Markets", "m3", "Prices rise when demand rises.", []),
    }
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")


@pytest.fixture
def mirror(tmp_path):
    repo = tmp_path / "mirrors" / "tiny"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    write_book(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "book")
    sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    (repo / "LICENSE").write_text("Another licence 4.0 International\n", encoding="utf-8")
    git(repo, "commit", "-qam", "change licence")
    books = [{"book": b, "repo": "owner/tiny", "collection": f"collections/{c}.collection.xml", "commit": sha,
              "split": s, "authors": "A. Author", "url": "https://example.org/" + b}
             for b, c, s in (("tiny-a", "a", "train"), ("tiny-b", "b", "test"))]
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"books": books}), encoding="utf-8")
    return tmp_path / "mirrors", manifest, sha


def load(out, name):
    return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]


def test_positives_spans_and_negatives(mirror, tmp_path):
    mirrors, manifest, sha = mirror
    metas = build(mirrors, tmp_path / "out", manifest)
    sections = {s["section_id"]: s for s in load(tmp_path / "out", "sections.jsonl")}
    q1, q2 = load(tmp_path / "out", "questions.jsonl")
    assert sections["m1"]["sentences"] == ["The Engram is the physical trace of memory.",
                                           "Lashley searched for it in rats for many years."]
    assert sections["m1"]["number"] == "1.1" and sections["m3"]["split"] == "test"
    assert q1["question"] == "The physical trace of memory is the ________."
    assert q1["options"] == ["schema", "engram", "cue"] and q1["answer"] == "engram"
    assert (q1["positives"], q1["match_rule"], q1["span"]) == ([0], "verbatim", [0, 4, 10])
    assert sections["m1"]["sentences"][0][4:10] == "Engram"
    assert q1["hard_negative_sections"] == [["tiny-a", "m2"]]
    assert q1["far_negative_sections"] == [["tiny-b", "m3"]]
    assert (q2["type"], q2["matched_text"], q2["positives"]) == ("short", "consolidation", [0])
    assert q2["hard_negative_sections"] == [["tiny-a", "m1"]]
    assert metas[0]["counts"] == {"sections": 2, "questions": 2, "grounded": 2, "overlap_only": 0}
    assert metas[0]["skipped_exercises"] == {"no answer key": 1}
    assert metas[0]["later_license_change"]["first_parent_change"]["_subject"] == "change licence"
    assert metas[0]["commit"]["commit"] == sha


def test_overlap_rule_when_no_verbatim_match(mirror, tmp_path):
    from tutor.training.matching import locate
    loc = locate("physical memory trace", ["The Engram is the physical trace of memory.", "Rats."])
    assert (loc["match_rule"], loc["positives"], loc["span"] if "span" in loc else None) == ("overlap", [0], None)


def test_exercises_stay_out_of_section_text(mirror, tmp_path):
    mirrors, manifest, _ = mirror
    build(mirrors, tmp_path / "out", manifest)
    text = (tmp_path / "out" / "sections.jsonl").read_text(encoding="utf-8")
    assert "________" not in text and "schema, engram" not in text and "Why?" not in text


def test_output_is_deterministic(mirror, tmp_path):
    mirrors, manifest, _ = mirror
    build(mirrors, tmp_path / "one", manifest)
    build(mirrors, tmp_path / "two", manifest)
    for name in ("sections.jsonl", "questions.jsonl", "books.json", "README.md"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_a_commit_that_is_not_cc_by_is_refused(mirror, tmp_path):
    mirrors, manifest, _ = mirror
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["books"][0]["commit"] = "HEAD"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit, match="not CC BY 4.0"):
        build(mirrors, tmp_path / "out", manifest)
