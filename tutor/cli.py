"""Command line: ``tutor ingest | status | ask | eval | bench | loadtest | serve | logs purge | learners ... | lti ...``. Errors print one line, never a
traceback (``-v`` shows it for an unexpected one); with ``--json`` they print ``{"status": "error", "message": ...}``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .errors import TutorError, explain


def _settings(args, **extra):
    from .settings import Settings

    overrides = dict(extra)
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    return Settings.from_env(**overrides)


def cmd_ingest(args) -> int:
    from .ingest.sync import sync
    from .settings import check_writable

    settings = _settings(args)
    check_writable(settings.index_dir, "TUTOR_INDEX_DIR (or --index)")
    report = sync(settings, rebuild=args.rebuild)
    print(report.line())
    return 0


def cmd_status(args) -> int:
    from .ingest.index import status

    info = status(_settings(args))
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    print(f"Index:       {info['index']} ({info['chroma']}, collection {info['collection']}, {info['size_mb']} MB)")
    print(f"Built:       {info['built_at']}")
    print(f"Embeddings:  {info['embed_model']}")
    print(f"Chunks:      {info['chunks']} (size {info['chunking']['size']}, overlap {info['chunking']['overlap']})")
    print(f"Units:       {len(info['units'])}")
    for slug, u in info["units"].items():
        print(f"  {slug}: {u['title']} ({u['chunks']} chunks in {len(u['files'])} file{'s' * (len(u['files']) != 1)})")
    return 0


def cmd_ask(args) -> int:
    from .pipeline import Tutor
    from .types import Direct, Done, Notice, Text

    tutor = Tutor(_settings(args))
    if args.json:
        answer = tutor.ask(args.question, args.history, args.backend, unit=args.unit)
        print(json.dumps(answer.to_json(), ensure_ascii=False))
        return 0
    answer = None
    for event in tutor.stream(args.question, args.history, args.backend, unit=args.unit):
        if isinstance(event, (Text, Notice)):
            print(event.text, end="\n" if isinstance(event, Notice) else "", flush=True)
        elif isinstance(event, Direct):  # checked after the sentences stream; the app shows it above them
            print(f"\n\nDirect answer: {event.text}", end="", flush=True)
        elif isinstance(event, Done):
            answer = event.answer
    print(f"\n\n{answer.signposting}" if answer.signposting else "")
    if answer.citations:
        print("\n" + "\n".join(f"[{c.n}] {c.location}: {c.source} paragraph {c.paragraph}, chars {c.start}-{c.end}: "
                                f"{c.display}" for c in answer.citations))
    print(f"\n({answer.status}; {answer.backend or answer.reason}; {answer.timings_ms['total']:.0f} ms)")
    return 0


def cmd_eval(args) -> int:
    if args.hints:
        from .evals.hints import main as hints_main

        return hints_main(args, _settings(args))
    from .evals.formats import main as formats_main
    from .evals.run import main as eval_main

    return (eval_main if args.formats is None else formats_main)(args, _settings(args))


def cmd_bench(args) -> int:
    from .bench.main import main as bench_main

    return bench_main(args, _settings(args))


def cmd_serve(args) -> int:
    from .app.build import serve
    from .storage import database_of, open_database

    settings = _settings(args, host=args.host, port=args.port)
    open_database(database_of(settings))  # first: a database that is down is one line now, not after the models load
    serve(settings)
    return 0


class UsageError(Exception):
    """A mistake on the command line (argparse would print it and exit; main decides how to show it)."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{message}. See: {self.prog} --help")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="tutor", description="A tutor that answers from the course unit, with citations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index the corpus folder (incremental)")
    p.add_argument("--corpus", help="corpus folder (default corpus/, or TUTOR_CORPUS_DIR)")
    p.add_argument("--index", help="index folder (default index/, or TUTOR_INDEX_DIR)")
    p.add_argument("--rebuild", action="store_true", help="start from scratch")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("status", help="what is indexed")
    p.add_argument("--index")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--history", action="append", default=[], help="an earlier question (repeatable, oldest first)")
    p.add_argument("--backend", help="backend chain, e.g. extractive, local, hosted,local,extractive")
    p.add_argument("--unit", help="answer from this unit only (see tutor status); default: every unit")
    p.add_argument("--index")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run the eval cases per unit and the quality gate")
    p.add_argument("--split", default="gate", choices=["gate", "dev", "all"],
                   help="which cases: the gate units' held-out cases (default), the development ones, or both")
    p.add_argument("--unit", help="only this unit's cases (a folder name under evals/units and corpus/)")
    p.add_argument("--cases", help="a cases file of your own (needs --unit)")
    p.add_argument("--report-dir", default="evals/reports/latest")
    p.add_argument("--backend")
    p.add_argument("--thresholds", default="evals/thresholds.toml")
    p.add_argument("--compare", action="store_true", help="also run the naive baseline and other configurations")
    p.add_argument("--with-local", action="store_true", help="with --compare: also the local model (slow)")
    p.add_argument("--formats", nargs="?", const="pdf,docx,html", help="the cases per format: text vs pdf,docx,html")
    p.add_argument("--hints", action="store_true", help="only the hints' answer leakage and availability")
    p.add_argument("--index")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="measure speed and scaling (writes bench.json and bench.md)")
    p.add_argument("--sizes", default="1,10,100")
    p.add_argument("--out", default="evals/reports/bench")
    p.add_argument("--smoke", action="store_true", help="tiny run that only proves the bench works")
    p.set_defaults(func=cmd_bench)
    _app_parsers(sub)
    return parser


def _app_parsers(sub) -> None:
    """``serve``, ``logs purge`` and ``learners``: the web app and what it stores."""
    p = sub.add_parser("serve", help="start the web app")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--index")
    p.set_defaults(func=cmd_serve)

    from .learners.cli import add_parsers

    add_parsers(sub, _settings)

    from .loadtest.main import add_parser as add_loadtest_parser

    add_loadtest_parser(sub, _settings)  # loadtest  # logs purge, learners add|import|list|remove

    from .lti.cli import add_parsers as add_lti_parsers

    add_lti_parsers(sub, _settings)  # lti add-platform | platforms | remove-platform | tool-values | keys | grades


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    want_json = "--json" in argv
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return _fail(str(exc), want_json, code=2)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "sentence_transformers", "transformers"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.ERROR)
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a reader that went away is reported here, not at exit
        return code
    except BrokenPipeError:
        # The reader (`tutor ask --json ... | head`) stopped early: nothing left to say, and Python must not
        # complain about stdout again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports it
    except KeyboardInterrupt:
        return _fail("interrupted", want_json, code=130)
    except Exception as exc:  # noqa: BLE001 - every error becomes one line; -v shows the traceback of a bug
        if args.verbose and not isinstance(exc, TutorError):
            raise
        return _fail(explain(exc, *_paths(args)), want_json)


def _fail(message: str, want_json: bool, code: int = 1) -> int:
    message = " ".join(str(message).split())  # one line, whatever the exception held
    if want_json:
        print(json.dumps({"status": "error", "message": message}, ensure_ascii=False), flush=True)
    else:
        print(f"error: {message}", file=sys.stderr)
    return code


def _paths(args) -> tuple[Path, Path]:
    """The index folder and chat log the command meant, for messages (even when the settings are invalid)."""
    from .settings import PROJECT_ROOT

    return (Path(getattr(args, "index", None) or os.environ.get("TUTOR_INDEX_DIR") or PROJECT_ROOT / "index"),
            Path(os.environ.get("TUTOR_DB") or PROJECT_ROOT / "data" / "tutor.sqlite3"))


if __name__ == "__main__":
    sys.exit(main())
