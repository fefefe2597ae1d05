"""The house rules that keep the code readable: each stage a folder, small files, short functions, and the
top of the package only the public API, the CLI, settings and errors."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tutor"
SOURCES = sorted(PACKAGE.rglob("*.py"))
STAGES = {"text", "ingest", "retrieval", "guards", "answering", "grounding", "study", "learners", "app", "evals", "bench",
          "training", "alerts", "lti", "storage", "deploy", "loadtest"}
TOP = {"__init__.py", "__main__.py", "cli.py", "settings.py", "errors.py", "pipeline.py", "question.py", "types.py",
       "plugins.py", "artefacts.py", "resources.py", "reading.py"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_file_is_over_250_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 250


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_over_50_lines(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 50]
    assert not long


def test_each_stage_is_a_folder_and_the_top_holds_only_the_api():
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == STAGES
    assert {p.name for p in PACKAGE.glob("*.py")} == TOP


def test_tests_mirror_the_stages():
    tests = Path(__file__).resolve().parent
    assert STAGES <= {p.name for p in tests.iterdir() if p.is_dir()}


def imports_of(path: Path) -> set[str]:
    """The tutor modules a file imports anywhere in it (inside functions too; ``if TYPE_CHECKING:`` blocks aside)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for n in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join(base + (node.module.split(".") if node.module else []))
            found |= {f"{target}.{a.name}" for a in node.names} | {target}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m.startswith("tutor")} - {module}


def test_no_import_cycles():
    """Data flows one way: no module imports, even lazily inside a function, one that imports it back."""
    modules = {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
               for p in SOURCES}
    graph = {m: imports_of(p) & set(modules) for m, p in modules.items()}
    cycles = []
    for start in graph:  # a depth-first search from every module for a path back to it
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join(path + (start,)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + (nxt,)))
    assert not cycles, cycles[:5]
