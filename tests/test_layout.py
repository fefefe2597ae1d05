"""The house rules that keep the code readable: each stage a folder, small files, short functions, and the
top of the package only the public API, the CLI, settings and errors."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tutor"
SOURCES = sorted(PACKAGE.rglob("*.py"))
STAGES = {"text", "ingest", "retrieval", "guards", "answering", "grounding", "study", "learners", "app", "evals", "bench"}
TOP = {"__init__.py", "__main__.py", "cli.py", "settings.py", "errors.py", "pipeline.py", "question.py", "types.py",
       "plugins.py", "artefacts.py"}


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
