"""``tutor eval --formats``: the same cases over the course as its text files and rendered as PDF, Word and HTML.

Each format gets a temporary course (``render.py``) and its own temporary index, so the only difference between
the runs is how the files are written. The figures per unit per format are hit@3, key-fact coverage, citation
gold precision and decline accuracy, each next to the text version with the difference; the aim is every format
within 0.03 of the text on every metric. For gate cases only these summary figures are produced, as for any gate
split (nothing case by case).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from ..settings import Settings
from .run import evaluate, selected

FORMATS = ("txt", "pdf", "docx", "html")
METRICS = {"hit@3": "hit@3", "key_fact_coverage": "key facts", "citation_gold_precision": "gold precision",
           "decline_accuracy": "decline"}
AIM = 0.03


def course_for(fmt: str, corpus: Path, out: Path) -> Path:
    """The course as ``fmt``: the text files themselves for "txt", else rendered (needs reportlab for PDF)."""
    if fmt == "txt":
        shutil.copytree(corpus, out, ignore=shutil.ignore_patterns(".*"))
        return out
    from .render import render_course

    try:
        render_course(corpus, out, fmt)
    except ImportError as exc:
        from ..errors import TutorError

        raise TutorError(f"tutor eval --formats needs {exc.name} to write {fmt} files. Run: pip install -e '.[test]'")
    return out


def measure(settings: Settings, fmt: str, case_sets, backend, work: Path) -> dict:
    """{unit (split): summary "overall" block} for one format, on its own course and index under ``work``."""
    from ..ingest.sync import sync
    from ..pipeline import Tutor

    course = course_for(fmt, Path(settings.corpus_dir), work / fmt / "corpus")
    local = settings.replace(corpus_dir=course, index_dir=work / fmt / "index", chroma_host="")
    report = sync(local, rebuild=True, show_progress=False)
    if report.skipped:
        print(f"{fmt}: skipped " + "; ".join(f"{p}: {why}" for p, why in report.skipped if why != "hidden"))
    tutor = Tutor(local)
    return {f"{s.unit} ({s.split})": evaluate(tutor, s, backend, label=f"{s.unit} ({s.split}, {fmt})").summary["overall"]
            for s in case_sets}


def table(figures: dict[str, dict]) -> list[str]:
    """Markdown rows: one per unit and metric, the text figure then each format's figure and its difference."""
    others = [f for f in FORMATS[1:] if f in figures]
    lines = ["| unit | metric | txt | " + " | ".join(others) + " |", "|---|---|---|" + "---|" * len(others)]
    missed = []
    for unit in figures["txt"]:
        for key, label in METRICS.items():
            base = figures["txt"][unit].get(key)
            cells = []
            for fmt in others:
                value = figures[fmt].get(unit, {}).get(key)
                if value is None or base is None:
                    cells.append("-" if value is None else f"{value:.3f}")
                    continue
                cells.append(f"{value:.3f} ({value - base:+.3f})")
                if abs(value - base) > AIM + 1e-9:
                    missed.append(f"{unit} {fmt} {label}: {value:.3f} vs txt {base:.3f}")
            lines.append(f"| {unit} | {label} | {'-' if base is None else f'{base:.3f}'} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"every format within {AIM} of txt on every metric" if not missed else
                 f"more than {AIM} from txt:\n  " + "\n  ".join(missed))
    return lines


def main(args, settings: Settings) -> int:
    t0 = time.perf_counter()
    case_sets = selected(args)
    wanted = ["txt"] + [f for f in (args.formats or ",".join(FORMATS[1:])).split(",") if f and f != "txt"]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        from ..errors import TutorError

        raise TutorError(f"Unknown format {unknown[0]!r} for --formats. Use any of {', '.join(FORMATS[1:])}.")
    with tempfile.TemporaryDirectory(prefix="tutor-formats-") as tmp:
        figures = {fmt: measure(settings, fmt, case_sets, args.backend, Path(tmp)) for fmt in wanted}
    lines = table(figures)
    print("\n".join(lines))
    out = Path(args.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "formats.json").write_text(json.dumps({"figures": figures, "seconds": round(time.perf_counter() - t0, 1)},
                                                 indent=1), encoding="utf-8")
    (out / "formats.md").write_text("# Format invariance\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"report: {out / 'formats.md'}")
    return 0
