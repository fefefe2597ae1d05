"""``bench.json`` -> ``bench.md``, the plots (``plots``) beside it and the observations (``observations``) at the end.

The Markdown is written from the JSON alone, so an old bench.json can be re-rendered::

    >>> from tutor.bench.report import write_markdown               # doctest: +SKIP
    >>> write_markdown(json.loads(Path("bench.json").read_text()), Path("evals/reports/bench"))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from .plots import plots


def fmt(v, digits: int = 1) -> str:
    """A number as the report shows it (the observations use it too): thousands separated, "-" for none."""
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{digits}f}" if abs(v) < 10_000 else f"{v:,.0f}"
    return str(v)


def _table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
           ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]


def write_markdown(data: dict, out: Path) -> Path:
    """bench.md: the targets first, then each section with its table and plot, then where the time goes."""
    images = plots(data, out)
    m = data["machine"]
    lines = ["# Tutor benchmark", "",
             f"{data['config']['when']} on {m['cpus']} CPU cores ({m['cpu']}), {m['ram_gb']} GB RAM, CPU only; "
             f"Python {m['python']}, torch threads {m.get('torch_threads', '-')}. Load average {m['load_start']} at the "
             f"start, {m.get('load_end', '-')} at the end (other work on the machine makes single numbers noisy; "
             "ratios measured side by side in one run are the reliable part).",
             "", f"Command: `{data['config']['command']}`" + (" (smoke: tiny sizes, proves the bench works)" if data["config"]["smoke"] else ""),
             "", f"Larger corpora: {data['config']['corpus']}.", "", "## Targets", ""]
    lines += _table(["target", "aim", "measured", "met"],
                    [[t["name"], f"{t.get('op', '<')} {t['limit']} {t['unit']}", f"{fmt(t['value'], 2)} {t['unit']}",
                      {True: "yes", False: "**no**", None: "not measured"}[t["met"]]] for t in data["targets"]])
    sections = [("Ingest", "ingest.png", _ingest), ("Encoders", None, _encoders), ("Retrieval", "retrieval.png", _retrieval),
                ("Index size over edits", None, _edits), ("A large text file", None, _large_file),
                ("Answering", "answering.png", _answering), ("Start-up and memory", None, _startup),
                ("Concurrent learners", "concurrency.png", _concurrency), ("CLI start-up", None, _cli)]
    for title, image, render in sections:
        lines += ["", f"## {title}", ""] + render(data)
        if image in images:
            lines += ["", f"![{title}]({image})"]
    lines += ["", "## Where the time goes", ""]
    for name, prof in data.get("profiles", {}).items():
        lines += [f"### {name}", "", f"cProfile of {prof['what']} ({prof['seconds']} s under the profiler). "
                  "Most cumulative time first:", ""]
        lines += _table(["function", "calls", "cumulative s", "own s"],
                        [[f"`{r['function']}`", r["calls"], r["cum_s"], r["own_s"]] for r in prof["cumulative"]])
        lines += ["", "Most time of their own:", ""]
        lines += _table(["function", "calls", "own s"], [[f"`{r['function']}`", r["calls"], r["own_s"]] for r in prof["own"]])
        lines.append("")
    if data.get("observations"):
        lines += ["## Observations", ""] + [f"- {o}" for o in data["observations"]]
    errors = {k: v["error"] for k, v in data.items() if isinstance(v, dict) and "error" in v}
    if errors:
        lines += ["", "## Sections that failed", ""] + [f"- {k}: {v}" for k, v in errors.items()]
    path = out / "bench.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _ingest(data):
    rows = [r for r in data.get("ingest", []) if "pipeline_s" in r]
    return ["`tutor ingest` from scratch (load, clean, chunk, embed chunks and sentences, Chroma, bm25s) against "
            "sentence-transformers encoding the same chunk and sentence texts alone, one after the other (median of 3 "
            "pairs up to 10x). The CPU-time ratio counts this process's CPU seconds, which other work on the machine "
            "disturbs less than wall time. \"Of it in the model\" is the time the pipeline run itself spent inside "
            "the embedder.", ""] + \
        _table(["size", "files", "chunks", "sentences", "pipeline s", "of it in the model s", "model alone s",
                "pipeline / model", "same, CPU time", "texts/s", "model alone texts/s", "server ingest s (vectors reused)"],
               [[f"{r['size']}x", r["files"], r["chunks"], r.get("sentences"), r["pipeline_s"], r.get("model_in_pipeline_s"),
                 r["encode_alone_s"], r["ratio"], r.get("ratio_cpu"), r.get("texts_per_s"), r.get("encode_texts_per_s"),
                 r.get("server_ingest_s")] for r in rows])


def _encoders(data):
    e = data.get("encoders", {})
    if "rows" not in e:
        return [f"Not measured: {e.get('error', 'skipped')}"]
    return [f"The same corpus ({e['size']}x, {e['chunks']} chunks, {e['texts']} texts to encode) ingested from "
            f"scratch by each encoder in turns ({e['rounds']} each, median), then the same texts encoded alone and "
            "the dev questions embedded one by one. Agreement is the cosine of each text's vector with PyTorch's. "
            "Serving is a fresh process answering dev questions as the app does (extractive, safeguarding, direct "
            "answers): its peak resident memory, and whether torch was loaded.", ""] + \
        _table(["encoder", "load s", "ingest s", "chunks/s", "ingest x PyTorch", "encode texts/s", "encode x PyTorch",
                "query p50 ms", "query p95 ms", "cosine min", "cosine mean", "serving peak MB", "torch loaded"],
               [[f"`{r['encoder']}`", r["load_s"], r["ingest_s"], r["chunks_per_s"], r["ingest_ratio"],
                 r["encode_texts_per_s"], r["encode_ratio"], r["query_ms"]["p50"], r["query_ms"]["p95"],
                 fmt(r["cosine_min"], 4), fmt(r["cosine_mean"], 4), r["serving_peak_rss_mb"],
                 "yes" if "torch" in r["serving_heavy_imports"] else "no"] for r in e["rows"]])


def _edits(data):
    e = data.get("edits", {})
    if "rows" not in e:
        return [f"Not measured: {e.get('error', 'skipped')}"]
    return [f"The unit (1x) built from scratch, then {len(e['rows']) - 1} successive edits of `{e['file']}`, each "
            "changing one word in a different paragraph and followed by `tutor ingest`. Index size is every file under "
            f"the index folder (embedded Chroma included): **{fmt(e['first_mb'], 2)} MB** after the build, "
            f"**{fmt(e['last_mb'], 2)} MB** after the last edit (x{e['growth']}).", ""] + \
        _table(["edit", "line changed", "ingest s", "texts embedded", "chunks replaced", "chunks removed", "chunks",
                "index MB", "of it Chroma's database MB"],
               [["build" if not r["edit"] else r["edit"], r["line"], r["seconds"], r["embedded"], r["chunks_replaced"],
                 r["chunks_removed"], r["chunks"], fmt(r["index_mb"], 2), fmt(r.get("chroma_db_mb"), 2)]
                for r in e["rows"]])


def _large_file(data):
    f = data.get("large_file", {})
    if "seconds" not in f:
        return [f"Not measured: {f.get('error', 'skipped')}"]
    return ["A fresh `python -m tutor ingest` process given the unit as one plain-text file (its sentences "
            f"recombined, many paragraphs), embedding model `{f['embed_model']}`. Peak resident memory is VmHWM, "
            "sampled every tenth of a second while it runs.", ""] + \
        _table(["file", "file MB", "chunks", "seconds", "peak resident MB", "index MB"],
               [[f"`{f['file']}`", f["file_mb"], f["chunks"], f["seconds"], f["peak_rss_mb"], fmt(f["index_mb"], 1)]])


def _retrieval(data):
    rows = data.get("retrieval", [])
    cells = {(r["size"], r["store"], r["mode"], r["query_embedding"]): r for r in rows}
    table = [[f"{size}x", r["chunks"], store, mode, r["n"], r["p50_ms"], r["p95_ms"],
              cells.get((size, store, mode, "excluded"), {}).get("p50_ms"),
              cells.get((size, store, mode, "excluded"), {}).get("p95_ms")]
             for (size, store, mode, variant), r in cells.items() if variant == "included"]
    return ["Warm latency of `Retriever.search`: as a learner waits for it (the query embedding included), and the "
            "index alone (query vectors computed beforehand: Chroma, bm25s, fusion). Every variant takes its turn on "
            "each question. `hybrid+query` adds the query repair the tutor itself runs.", ""] + \
        _table(["size", "chunks", "store", "mode", "n", "p50 ms", "p95 ms", "index only p50 ms", "index only p95 ms"],
               table) + \
        ["", "Embedding the query alone (part of every search above): " + "; ".join(
            f"{k.replace('_', ' ')}: p50 {fmt(v['p50'])} ms, p95 {fmt(v['p95'])} ms"
            for k, v in data.get("query_embedding_ms", {}).items()) + "."] * bool(data.get("query_embedding_ms"))


def _answering(data):
    a = data.get("answering", {})
    rows = [[name, v["questions"], v["statuses"], v["citations_ms"]["p50"], v["citations_ms"]["p95"],
             v["first_text_ms"]["n"], v["first_text_ms"]["p50"], v["first_text_ms"]["p95"], v["warmup_s"]]
            for name, v in a.items() if isinstance(v, dict) and "citations_ms" in v]
    asked = ", ".join(f"{unit} {n}" for unit, n in data["config"].get("questions", {}).items())
    lines = [f"Over the dev questions of every development unit (`evals/units/<unit>/dev.jsonl`: {asked}), dealt "
             "in turn and each asked within its unit, index of the whole course. First answer text is timed on the "
             "questions the answerer answered itself.", ""]
    lines += _table(["answerer", "questions", "statuses", "citations p50 ms", "citations p95 ms", "answered",
                     "first text p50 ms", "first text p95 ms", "warm-up s"], rows)
    if a.get("local_model_load_s") is not None:
        lines += ["", f"Loading the local model (GGUF) took {a['local_model_load_s']} s; warm-up is the first question "
                  "after that."]
    probe = a.get("local_model_first_token_ms")
    if probe and probe.get("n"):
        lines += ["", f"The local model alone (llama-cpp, same prompt) streams its first token after "
                  f"{fmt(probe['p50'])} ms p50, {fmt(probe['p95'])} ms p95, then about {fmt(probe['tokens_per_s'])} tokens/s."]
    return lines


def _startup(data):
    s = data.get("startup", {})
    if "first_answer_s" not in s:
        return [f"Not measured: {s.get('error', 'skipped')}"]
    lines = [f"`tutor serve` from process start: port open after {s['port_open_s']} s, first answer (API endpoint "
             f"`{s['endpoint']}`) after **{s['first_answer_s']} s**. Peak resident memory (VmHWM) of the serving "
             f"process: {s['peak_rss_mb_first_answer']} MB after the first answer, **{s['peak_rss_mb']} MB** after "
             "the concurrency runs."]
    if s.get("slowest_imports"):
        lines += ["", "Slowest imports on the way to the first answer (`python -X importtime`, a fresh process that "
                  "builds the app and answers one question):", ""]
        lines += _table(["module", "cumulative ms"], [[r["module"], r["cum_ms"]] for r in s["slowest_imports"]])
    return lines


def _concurrency(data):
    rows = data.get("concurrency", [])
    if not rows:
        return [f"Not measured: {data.get('startup', {}).get('error', 'skipped')}"]
    return ["Each learner is its own `gradio_client` session asking the dev questions (each from a different "
            "starting question), bounded in count and time.", ""] + \
        _table(["learners", "answers", "errors", "seconds", "answers/s", "p50 ms", "p95 ms"],
               [[r["clients"], r["answers"], r["errors"], r["seconds"], r["answers_per_s"], r["latency_ms"]["p50"],
                 r["latency_ms"]["p95"]] for r in rows]) + _one_thread(data)


def _one_thread(data):
    one = data.get("one_thread")
    if not one or not one.get("concurrency"):
        return []
    env = " ".join(f"{k}={v}" for k, v in one["env"].items())
    return ["", f"The same app started with `{env}` (torch uses one thread per request), run right after: first answer "
            f"after {one['startup']['first_answer_s']} s, peak memory {one['startup']['peak_rss_mb']} MB.", ""] + \
        _table(["learners", "answers", "errors", "seconds", "answers/s", "p50 ms", "p95 ms"],
               [[r["clients"], r["answers"], r["errors"], r["seconds"], r["answers_per_s"], r["latency_ms"]["p50"],
                 r["latency_ms"]["p95"]] for r in one["concurrency"]])


def _cli(data):
    c = data.get("cli", {})
    if "help" not in c:
        return [f"Not measured: {c.get('error', 'skipped')}"]
    lines = _table(["command", "median s", "min s", "runs", "heavy modules imported"],
                   [[f"`tutor {'--help' if k == 'help' else k}`", v["median_s"], v["min_s"], v["runs"],
                     "none" if v["heavy_imports"] == "[]" else v["heavy_imports"]]
                    for k, v in c.items() if k in ("help", "status")])
    if c["status"].get("slowest_imports"):
        lines += ["", "Slowest imports of `tutor status`: " + ", ".join(
            f"{r['module']} {r['cum_ms']} ms" for r in c["status"]["slowest_imports"])]
    return lines
