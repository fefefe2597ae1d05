"""The observations at the end of ``bench.md``: plain findings drawn from the numbers, one helper a topic."""

from __future__ import annotations

from .report import fmt
from .targets import TARGET_GROWTH


def observations(data: dict) -> list[str]:
    """Plain findings drawn from the numbers, each naming the code it points at."""
    return (_local_first_text(data) + _local_failures(data) + _retrieval(data) + _ingest(data) + _edits(data)
            + _large_file(data) + _query_threads(data) + _one_thread(data) + _cli(data))


def _local_first_text(data: dict) -> list[str]:
    a = data.get("answering", {})
    local, probe = a.get("local", {}), a.get("local_model_first_token_ms", {})
    if not (local.get("first_text_ms", {}).get("p50") and probe.get("p50")):
        return []
    ft = local["first_text_ms"]
    return [f"The local model's own first token comes after {fmt(probe['p50'])} ms (p50, cold: the whole "
            f"prompt with {probe.get('passages', '?')} passages evaluated, no cached prefix); in the pipeline "
            f"the first verified sentence reaches the learner after {fmt(ft['p50'])} ms p50, {fmt(ft['p95'])} ms "
            "p95, helped by llama-cpp reusing the evaluated instruction prefix from the previous question. "
            "`LocalBackend.generate` (tutor/answering/local.py) streams tokens as they come, so after prompt "
            "evaluation the wait is the model writing its first sentence and the verifier checking it; when its "
            "first sentences fail verification, the first one shown comes later. TUTOR_LOCAL_PASSAGES trades "
            "passages read against prompt evaluation."]


def _local_failures(data: dict) -> list[str]:
    local = data.get("answering", {}).get("local", {})
    failed = local.get("statuses", {}).get("error", 0)
    if not failed:
        return []
    return [f"{failed} of {local['questions']} local-model answers had no sentence the verifier accepts "
            f"(first error: {(local.get('errors') or ['?'])[0][:160]}); in the app's chain the extractive "
            "answerer then answers."]


def _retrieval(data: dict) -> list[str]:
    rows = data.get("retrieval", [])
    if not rows:
        return []
    notes = []
    big = max(r["size"] for r in rows)
    small = min(r["size"] for r in rows)
    p95 = {(r["size"], r["store"], r["mode"]): r["p95_ms"] for r in rows if r["query_embedding"] == "included"}
    p50 = {(r["size"], r["store"], r["mode"]): r["p50_ms"] for r in rows if r["query_embedding"] == "included"}
    bare = {(r["size"], r["store"], r["mode"]): r["p95_ms"] for r in rows if r["query_embedding"] == "excluded"}
    if big > small and p95.get((small, "embedded", "hybrid")) and p95.get((big, "embedded", "hybrid")):
        notes.append(f"Hybrid retrieval p95 (embedded Chroma) goes from {fmt(p95[(small, 'embedded', 'hybrid')])} ms "
                     f"at {small}x to {fmt(p95[(big, 'embedded', 'hybrid')])} ms at {big}x; the index alone (query "
                     f"vector given) from {fmt(bare.get((small, 'embedded', 'hybrid')))} to "
                     f"{fmt(bare.get((big, 'embedded', 'hybrid')))} ms. The rest is embedding the query.")
    kw, hy = p50.get((big, "embedded", "keyword")), p50.get((big, "embedded", "hybrid"))
    if kw and hy and kw > 1.2 * hy:
        notes.append(f"Keyword search is slower than hybrid at {big}x ({fmt(kw)} against {fmt(hy)} ms p50): in keyword "
                     "mode `Retriever.search` (tutor/retrieval/hybrid.py) still embeds the query and asks Chroma for the "
                     "distance to every chunk (k = all chunks) to fill in dense scores.")
    se, em = p50.get((big, "server", "hybrid")), p50.get((big, "embedded", "hybrid"))
    if se and em:
        notes.append(f"Hybrid search p50 at {big}x: {fmt(em)} ms with embedded Chroma, {fmt(se)} ms with the Chroma "
                     "server (HTTP on loopback)" + (" - the server's cost is lost in the noise." if se <= em * 1.1 else "."))
    return notes


def _ingest(data: dict) -> list[str]:
    ingest = [r for r in data.get("ingest", []) if "ratio" in r]
    if not ingest:
        return []
    r = ingest[-1]
    inside = r.get("model_in_pipeline_s")
    note = (f"Ingest at {r['size']}x: the whole pipeline took {r['pipeline_s']} s, the model alone "
            f"{r['encode_alone_s']} s on the same {r['encoded']} chunk and sentence texts (x{r['ratio']} in wall time, "
            f"x{r.get('ratio_cpu')} in CPU time).")
    if inside:
        note += (f" Within the pipeline run, {inside} s were spent in the model (every new text encoded "
                 f"shortest-first, {r.get('encode_slice', '?')} per call, in `vectors.add_missing`, tutor/ingest/vectors.py) and "
                 f"{fmt(r['pipeline_s'] - inside)} s in everything else (load, clean, chunk, Chroma writes, bm25s).")
    return [note]


def _edits(data: dict) -> list[str]:
    e = data.get("edits", {})
    if "rows" not in e:
        return []
    edits = e["rows"][1:]
    embedded = ", ".join(str(r["embedded"]) for r in edits)
    seconds = ", ".join(fmt(r["seconds"], 2) for r in edits)
    flat = e["growth"] is not None and e["growth"] <= TARGET_GROWTH
    db = (edits[-1].get("chroma_db_mb") or 0) - (e["rows"][0].get("chroma_db_mb") or 0) if edits else 0
    return [f"Index size over {len(edits)} one-word edits: {fmt(e['first_mb'], 2)} MB after the build, "
            f"{fmt(e['last_mb'], 2)} MB after the last edit (x{e['growth']}; "
            + ("flat: the stale vectors, generations and segment folders are deleted after each swap" if flat else
               f"**it grows**, {fmt(db, 2)} MB of the {fmt(e['last_mb'] - e['first_mb'], 2)} MB in Chroma's database, "
               "chroma.sqlite3, which keeps every write and delete in its log table until the vector segments persist; "
               "what `_clean_up` in tutor/ingest/sync.py deletes does not shrink it")
            + f"). Each edit re-embedded only {embedded} texts (of {e['rows'][0]['embedded']} in the build), "
            f"ingesting in {seconds} s."]


def _large_file(data: dict) -> list[str]:
    f = data.get("large_file", {})
    if "seconds" not in f:
        return []
    rate = f["file_mb"] / f["seconds"] * 60 if f["seconds"] else None
    return [f"A fresh `tutor ingest` of one {fmt(f['file_mb'])} MB text file ({f['chunks']} chunks) took "
            f"{fmt(f['seconds'])} s (about {fmt(rate, 2)} MB a minute with `{f['embed_model']}`) and peaked at "
            f"{fmt(f['peak_rss_mb'])} MB resident" + (" (aim: under 1,500 MB)." if f["peak_rss_mb"] < 1500 else
                                                       ", **over the 1,500 MB aim**.")]


def _query_threads(data: dict) -> list[str]:
    threads = data.get("query_embedding_ms", {})
    if len(threads) != 2:
        return []
    (many, a), (_, b) = threads.items()
    if not (a["p50"] and b["p50"] and b["p50"] < a["p50"] / 1.5):
        return []
    return [f"Embedding one query took {fmt(a['p50'])} ms p50 with {many.replace('_', ' ')} but "
            f"{fmt(b['p50'])} ms with torch threads 1 on this (busy) machine: the query embedding is most of "
            "retrieval's time, and torch's intra-op threads wait on each other when the cores are shared. "
            "`torch.set_num_threads(1)` for query-time encoding in the serving process (tutor/ingest/embed.py) "
            "is worth trying; each concurrent request then uses one core."]


def _one_thread(data: dict) -> list[str]:
    one = {r["clients"]: r for r in data.get("one_thread", {}).get("concurrency", [])}
    many = {r["clients"]: r for r in data.get("concurrency", [])}
    notes = []
    for n in sorted(set(one) & set(many)):
        a, b = many[n]["latency_ms"]["p95"], one[n]["latency_ms"]["p95"]
        if a and b:
            notes.append(f"{n} learner{'s' if n > 1 else ''}: p95 {fmt(a)} ms with torch's default threads, {fmt(b)} ms "
                         f"with one thread per request; {many[n]['answers_per_s']} against {one[n]['answers_per_s']} "
                         "answers/s.")
    return notes


def _cli(data: dict) -> list[str]:
    notes = []
    for name in ("help", "status"):
        heavy = data.get("cli", {}).get(name, {}).get("heavy_imports")
        if heavy and heavy != "[]":
            notes.append(f"`tutor {name}` imports heavy modules: {heavy}.")
    return notes
