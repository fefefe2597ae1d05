"""Reading a book from a bare git mirror at a pinned commit: files, the collection's order, the licence."""

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from tutor.training.cnxml_inline import COL, MD, classes, local

OPEN_LICENCE_URL = "creativecommons.org/licenses/by/4.0"
OPEN_LICENCE_TITLE = "Attribution 4.0 International"
SKIP_MODULE_CLASSES = {"preface", "appendix"}


def find_git_dir(mirror_dir, repo):
    """The bare git dir of `owner/name` under mirror_dir (owner+name/repo, owner+name, name, name.git)."""
    owner, name = repo.split("/", 1)
    base = Path(mirror_dir)
    for cand in (base / f"{owner}+{name}" / "repo", base / f"{owner}+{name}", base / name, base / f"{name}.git",
                 base / name / ".git"):
        if (cand / "HEAD").is_file() and (cand / "objects").is_dir():
            return cand
    raise SystemExit(f"no git mirror of {repo} under {mirror_dir}: fetch it there first")


class GitBook:
    def __init__(self, git_dir, commit):
        self.git_dir = str(git_dir)
        self.commit = self.git("rev-parse", commit + "^{commit}").strip()

    def git(self, *args):
        out = subprocess.run(["git", "--git-dir", self.git_dir, *args], capture_output=True, check=False)
        if out.returncode:
            raise SystemExit(f"git {' '.join(args)} failed in {self.git_dir}: {out.stderr.decode()[:200]}")
        return out.stdout.decode("utf-8")

    def read(self, path, commit=None):
        return self.git("show", f"{commit or self.commit}:{path}")

    def read_optional(self, path, commit=None):
        """The file's text, or "" if the commit has no such file (renamed or removed later)."""
        listed = self.git("ls-tree", "--name-only", commit or self.commit, "--", path).strip()
        return self.read(path, commit) if listed else ""

    def commit_info(self, commit=None):
        line = self.git("log", "-1", "--format=%H%x09%ad%x09%s", "--date=short", commit or self.commit).strip()
        sha, date, subject = line.split("\t", 2)
        return {"commit": sha, "date": date, "_subject": subject}   # "_": README only, not books.json


def licence_evidence(book, collection, commit=None):
    """What LICENSE and the collection metadata say at a commit; ok only if both are CC BY 4.0."""
    lic = next((ln.strip() for ln in book.read_optional("LICENSE", commit).splitlines() if ln.strip()), "")
    m = re.search(r'<md:license\s+url="([^"]*)"', book.read_optional(collection, commit))
    url = m.group(1) if m else ""
    return {"license_file_title": lic, "collection_license_url": url,
            "ok": lic == OPEN_LICENCE_TITLE and OPEN_LICENCE_URL in url}


def later_changes(book, collection):
    """Where the licence stopped being CC BY 4.0 after the pinned commit, if it did (None otherwise)."""
    after = book.git("rev-list", "--first-parent", "--reverse", f"{book.commit}..HEAD").split()
    first_bad = next((c for c in after if not licence_evidence(book, collection, c)["ok"]), None)
    if first_bad is None:
        return None
    touched = book.git("log", "--reverse", "--format=%H", f"{book.commit}..HEAD", "--", "LICENSE").split()
    meta = book.git("log", "--reverse", "--format=%H", "-G", "md:license", f"{book.commit}..HEAD", "--",
                    collection).split()
    after_ev = licence_evidence(book, collection, first_bad)
    out = {"first_parent_change": book.commit_info(first_bad), "_title_after": after_ev["license_file_title"]}
    if touched:
        out["license_file_changed_in"] = book.commit_info(touched[0])
    if meta:
        out["metadata_changed_in"] = book.commit_info(meta[0])
    return out


def collection_modules(book, collection):
    """(module id, chapter number or None, section number or None, chapter title) in book order."""
    root = ET.fromstring(book.read(collection))
    meta = root.find("{%s}metadata" % COL)
    title_el = meta.find("{%s}title" % MD) if meta is not None else None
    out, chapter = [], [0]

    def visit(content, chap_title):
        mods = [m.get("document") for m in content if local(m.tag) == "module"]
        if mods and chap_title is not None:
            chapter[0] += 1
        for el in content:
            if local(el.tag) == "module":
                out.append((el.get("document"), chapter[0] if chap_title is not None else None, chap_title))
            elif local(el.tag) == "subcollection":
                sub_title = el.find("{%s}title" % MD)
                sub = el.find("{%s}content" % COL)
                if sub is not None:
                    visit(sub, (sub_title.text or "").strip() if sub_title is not None else "")
    visit(root.find("{%s}content" % COL), None)
    book_title = (title_el.text or "").strip() if title_el is not None else ""
    return book_title, root.get("authors", ""), out


def module_path(module_id):
    return f"modules/{module_id}/index.cnxml"


def is_content_module(root):
    return not (classes(root) & SKIP_MODULE_CLASSES)
