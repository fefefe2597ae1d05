"""``bench.json`` -> ``bench.md`` with matplotlib plots (PNG files beside it).

The Markdown is written from the JSON alone, so an old bench.json can be re-rendered::

    >>> from tutor.bench_report import write_markdown               # doctest: +SKIP
    >>> write_markdown(json.loads(Path("bench.json").read_text()), Path("evals/reports/bench"))
"""

from __future__ import annotations

from pathlib import Path


def _fmt(v, digits: int = 1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.{digits}f}" if abs(v) < 10_000 else f"{v:,.0f}"
    return str(v)


def _table(header: list[str], rows: list[list]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + \
           ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]


def plots(data: dict, out: Path) -> list[str]:
    """Draw what the data has; returns the PNG file names written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []

    def save(fig, name):
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(name)

    ingest = [r for r in data.get("ingest", []) if "pipeline_s" in r]
    if ingest:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        xs = range(len(ingest))
        ax.bar([x - 0.2 for x in xs], [r["chunks_per_s"] for r in ingest], 0.4, label="whole pipeline")
        ax.bar([x + 0.2 for x in xs], [r["encode_chunks_per_s"] for r in ingest], 0.4, label="model alone")
        ax.set_xticks(list(xs), [f"{r['size']}x ({r['chunks']} chunks)" for r in ingest])
        ax.set_ylabel("chunks / s")
        ax.set_title("Ingest throughput")
        ax.legend()
        save(fig, "ingest.png")
    retrieval = data.get("retrieval", [])
    if retrieval:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
        for ax, variant, title in zip(axes, ("included", "excluded"), ("with the query embedding", "index only")):
            for store, style in (("embedded", "-"), ("server", "--")):
                for mode in dict.fromkeys(r["mode"] for r in retrieval):
                    pts = sorted((r["chunks"], r["p95_ms"]) for r in retrieval if r["store"] == store and r["mode"] == mode
                                 and r["query_embedding"] == variant and r["p95_ms"] is not None)
                    if pts:
                        ax.plot(*zip(*pts), style, marker="o", label=f"{mode}, {store}")
            ax.set_xscale("log")
            ax.set_xlabel("chunks in the index")
            ax.set_ylabel("p95 latency (ms)")
            ax.set_title(f"Retrieval, warm: {title}", fontsize=10)
        axes[1].legend(fontsize=7)
        save(fig, "retrieval.png")
    answering = {k: v for k, v in data.get("answering", {}).items() if isinstance(v, dict) and "citations_ms" in v}
    if answering:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        labels, values = [], []
        for name, a in answering.items():
            for what in ("citations_ms", "first_text_ms"):
                for p in ("p50", "p95"):
                    labels.append(f"{name}\n{what.split('_')[0]} {p}")
                    values.append(a[what][p] or 0)
        ax.bar(range(len(values)), values)
        ax.set_xticks(range(len(values)), labels, fontsize=6)
        ax.set_yscale("log")
        ax.set_ylabel("ms")
        ax.set_title("Answering: citations and first answer text")
        save(fig, "answering.png")
    conc = [r for r in data.get("concurrency", []) if r.get("answers")]
    if conc:
        fig, ax = plt.subplots(figsize=(6, 3.5))
        xs = [r["clients"] for r in conc]
        ax.plot(xs, [r["answers_per_s"] for r in conc], marker="o", color="tab:blue")
        ax.set_xlabel("concurrent learners")
        ax.set_ylabel("answers / s", color="tab:blue")
        ax2 = ax.twinx()
        ax2.plot(xs, [r["latency_ms"]["p95"] for r in conc], marker="s", color="tab:red")
        ax2.set_ylabel("p95 latency (ms)", color="tab:red")
        ax.set_title("Concurrent learners (gradio_client)")
        save(fig, "concurrency.png")
    return written


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
                    [[t["name"], f"< {t['limit']} {t['unit']}", f"{_fmt(t['value'], 2)} {t['unit']}",
                      {True: "yes", False: "**no**", None: "not measured"}[t["met"]]] for t in data["targets"]])
    sections = [("Ingest", "ingest.png", _ingest), ("Retrieval", "retrieval.png", _retrieval),
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
    return ["`tutor ingest` from scratch (load, clean, chunk, embed, Chroma, bm25s) against sentence-transformers "
            "encoding the same chunk texts alone, one after the other (median of 3 pairs up to 10x). The CPU-time ratio "
            "counts this process's CPU seconds, which other work on the machine disturbs less than wall time. \"Of it in "
            "the model\" is the time the pipeline run itself spent inside the embedder.", ""] + \
        _table(["size", "files", "chunks", "pipeline s", "of it in the model s", "model alone s", "pipeline / model",
                "same, CPU time", "chunks/s", "model alone chunks/s", "server ingest s (vectors reused)"],
               [[f"{r['size']}x", r["files"], r["chunks"], r["pipeline_s"], r.get("model_in_pipeline_s"),
                 r["encode_alone_s"], r["ratio"], r.get("ratio_cpu"), r["chunks_per_s"], r["encode_chunks_per_s"],
                 r.get("server_ingest_s")] for r in rows])


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
            f"{k.replace('_', ' ')}: p50 {_fmt(v['p50'])} ms, p95 {_fmt(v['p95'])} ms"
            for k, v in data.get("query_embedding_ms", {}).items()) + "."] * bool(data.get("query_embedding_ms"))


def _answering(data):
    a = data.get("answering", {})
    rows = [[name, v["questions"], v["statuses"], v["citations_ms"]["p50"], v["citations_ms"]["p95"],
             v["first_text_ms"]["n"], v["first_text_ms"]["p50"], v["first_text_ms"]["p95"], v["warmup_s"]]
            for name, v in a.items() if isinstance(v, dict) and "citations_ms" in v]
    lines = ["Over the dev questions (`evals/dev.jsonl`), index of the unit (1x). First answer text is timed on the "
             "questions the answerer answered itself.", ""]
    lines += _table(["answerer", "questions", "statuses", "citations p50 ms", "citations p95 ms", "answered",
                     "first text p50 ms", "first text p95 ms", "warm-up s"], rows)
    if a.get("local_model_load_s") is not None:
        lines += ["", f"Loading the local model (GGUF) took {a['local_model_load_s']} s; warm-up is the first question "
                  "after that."]
    probe = a.get("local_model_first_token_ms")
    if probe and probe.get("n"):
        lines += ["", f"The local model alone (llama-cpp, same prompt) streams its first token after "
                  f"{_fmt(probe['p50'])} ms p50, {_fmt(probe['p95'])} ms p95, then about {_fmt(probe['tokens_per_s'])} tokens/s."]
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


def observations(data: dict) -> list[str]:
    """Plain findings drawn from the numbers, each naming the code it points at."""
    notes = []
    a = data.get("answering", {})
    local, probe = a.get("local", {}), a.get("local_model_first_token_ms", {})
    if local.get("first_text_ms", {}).get("p50") and probe.get("p50"):
        ft = local["first_text_ms"]
        notes.append(f"The local model's own first token comes after {_fmt(probe['p50'])} ms (p50, cold: the whole "
                     f"prompt with {probe.get('passages', '?')} passages evaluated, no cached prefix); in the pipeline "
                     f"the first verified sentence reaches the learner after {_fmt(ft['p50'])} ms p50, {_fmt(ft['p95'])} ms "
                     "p95, helped by llama-cpp reusing the evaluated instruction prefix from the previous question. "
                     "`LocalBackend.generate` (tutor/backends.py) streams tokens as they come, so after prompt "
                     "evaluation the wait is the model writing its first sentence and the verifier checking it; when its "
                     "first sentences fail verification, the first one shown comes later. TUTOR_LOCAL_PASSAGES trades "
                     "passages read against prompt evaluation.")
    failed = local.get("statuses", {}).get("error", 0)
    if failed:
        notes.append(f"{failed} of {local['questions']} local-model answers had no sentence the verifier accepts "
                     f"(first error: {(local.get('errors') or ['?'])[0][:160]}); in the app's chain the extractive "
                     "answerer then answers.")
    rows = data.get("retrieval", [])
    if rows:
        big = max(r["size"] for r in rows)
        small = min(r["size"] for r in rows)
        p95 = {(r["size"], r["store"], r["mode"]): r["p95_ms"] for r in rows if r["query_embedding"] == "included"}
        p50 = {(r["size"], r["store"], r["mode"]): r["p50_ms"] for r in rows if r["query_embedding"] == "included"}
        bare = {(r["size"], r["store"], r["mode"]): r["p95_ms"] for r in rows if r["query_embedding"] == "excluded"}
        if big > small and p95.get((small, "embedded", "hybrid")) and p95.get((big, "embedded", "hybrid")):
            notes.append(f"Hybrid retrieval p95 (embedded Chroma) goes from {_fmt(p95[(small, 'embedded', 'hybrid')])} ms "
                         f"at {small}x to {_fmt(p95[(big, 'embedded', 'hybrid')])} ms at {big}x; the index alone (query "
                         f"vector given) from {_fmt(bare.get((small, 'embedded', 'hybrid')))} to "
                         f"{_fmt(bare.get((big, 'embedded', 'hybrid')))} ms. The rest is embedding the query.")
        kw, hy = p50.get((big, "embedded", "keyword")), p50.get((big, "embedded", "hybrid"))
        if kw and hy and kw > 1.2 * hy:
            notes.append(f"Keyword search is slower than hybrid at {big}x ({_fmt(kw)} against {_fmt(hy)} ms p50): in keyword "
                         "mode `Retriever.search` (tutor/retrieve.py) still embeds the query and asks Chroma for the "
                         "distance to every chunk (k = all chunks) to fill in dense scores.")
        se, em = p50.get((big, "server", "hybrid")), p50.get((big, "embedded", "hybrid"))
        if se and em:
            notes.append(f"Hybrid search p50 at {big}x: {_fmt(em)} ms with embedded Chroma, {_fmt(se)} ms with the Chroma "
                         "server (HTTP on loopback)" + (" - the server's cost is lost in the noise." if se <= em * 1.1 else "."))
    ingest = [r for r in data.get("ingest", []) if "ratio" in r]
    if ingest:
        r = ingest[-1]
        inside = r.get("model_in_pipeline_s")
        note = (f"Ingest at {r['size']}x: the whole pipeline took {r['pipeline_s']} s, the model alone "
                f"{r['encode_alone_s']} s on the same {r['encoded']} chunk texts (x{r['ratio']} in wall time, "
                f"x{r.get('ratio_cpu')} in CPU time).")
        if inside:
            note += (f" Within the pipeline run, {inside} s were spent in the model (every new text encoded "
                     f"shortest-first, {r.get('encode_slice', '?')} per call, before the Chroma writes in tutor/index.py `sync`) and "
                     f"{_fmt(r['pipeline_s'] - inside)} s in everything else (load, clean, chunk, Chroma writes, bm25s).")
        notes.append(note)
    threads = data.get("query_embedding_ms", {})
    if len(threads) == 2:
        (many, a), (_, b) = threads.items()
        if a["p50"] and b["p50"] and b["p50"] < a["p50"] / 1.5:
            notes.append(f"Embedding one query took {_fmt(a['p50'])} ms p50 with {many.replace('_', ' ')} but "
                         f"{_fmt(b['p50'])} ms with torch threads 1 on this (busy) machine: the query embedding is most of "
                         "retrieval's time, and torch's intra-op threads wait on each other when the cores are shared. "
                         "`torch.set_num_threads(1)` for query-time encoding in the serving process (tutor/embed.py) "
                         "is worth trying; each concurrent request then uses one core.")
    one = {r["clients"]: r for r in data.get("one_thread", {}).get("concurrency", [])}
    many = {r["clients"]: r for r in data.get("concurrency", [])}
    for n in sorted(set(one) & set(many)):
        a, b = many[n]["latency_ms"]["p95"], one[n]["latency_ms"]["p95"]
        if a and b:
            notes.append(f"{n} learner{'s' if n > 1 else ''}: p95 {_fmt(a)} ms with torch's default threads, {_fmt(b)} ms "
                         f"with one thread per request; {many[n]['answers_per_s']} against {one[n]['answers_per_s']} "
                         "answers/s.")
    for name in ("help", "status"):
        heavy = data.get("cli", {}).get(name, {}).get("heavy_imports")
        if heavy and heavy != "[]":
            notes.append(f"`tutor {name}` imports heavy modules: {heavy}.")
    return notes
