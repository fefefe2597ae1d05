"""The PNG plots beside ``bench.md``, one function a plot, drawn from ``bench.json`` alone."""

from __future__ import annotations

from pathlib import Path


def plots(data: dict, out: Path) -> list[str]:
    """Draw what the data has; returns the PNG file names written."""
    import matplotlib  # imported here: only writing the report needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    for name, draw in (("ingest.png", _ingest), ("retrieval.png", _retrieval), ("answering.png", _answering),
                       ("concurrency.png", _concurrency)):
        fig = draw(plt, data)
        if fig is None:  # that section measured nothing to draw
            continue
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        written.append(name)
    return written


def _ingest(plt, data: dict):
    ingest = [r for r in data.get("ingest", []) if "pipeline_s" in r]
    if not ingest:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    xs = range(len(ingest))
    ax.bar([x - 0.2 for x in xs], [r["texts_per_s"] for r in ingest], 0.4, label="whole pipeline")
    ax.bar([x + 0.2 for x in xs], [r["encode_texts_per_s"] for r in ingest], 0.4, label="model alone")
    ax.set_xticks(list(xs), [f"{r['size']}x ({r['chunks']} chunks)" for r in ingest])
    ax.set_ylabel("texts (chunks and sentences) / s")
    ax.set_title("Ingest throughput")
    ax.legend()
    return fig


def _retrieval(plt, data: dict):
    retrieval = data.get("retrieval", [])
    if not retrieval:
        return None
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
    return fig


def _answering(plt, data: dict):
    answering = {k: v for k, v in data.get("answering", {}).items() if isinstance(v, dict) and "citations_ms" in v}
    if not answering:
        return None
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
    return fig


def _concurrency(plt, data: dict):
    conc = [r for r in data.get("concurrency", []) if r.get("answers")]
    if not conc:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    xs = [r["clients"] for r in conc]
    ax.plot(xs, [r["answers_per_s"] for r in conc], marker="o", color="tab:blue")
    ax.set_xlabel("concurrent learners")
    ax.set_ylabel("answers / s", color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(xs, [r["latency_ms"]["p95"] for r in conc], marker="s", color="tab:red")
    ax2.set_ylabel("p95 latency (ms)", color="tab:red")
    ax.set_title("Concurrent learners (gradio_client)")
    return fig
