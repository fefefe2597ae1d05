"""Processes as a user meets them: how fast the CLI starts, how long the web app takes to answer its first
question and how much memory it holds, and how it copes with several learners at once (``gradio_client``
sessions against the app on 127.0.0.1). Every loop has a count and a time limit; every process is stopped.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .util import LOOPBACK, QUIET_ENV, free_port, ms_since, peak_rss_mb, process, summary, wait_for_port, wall_time
from ..settings import PROJECT_ROOT, Settings

HEAVY = ("torch", "transformers", "sentence_transformers", "gradio", "llama_cpp", "chromadb", "langchain_core")
ENDPOINTS = ("/ask",)  # preferred, in order; otherwise any named endpoint with "ask" in its name


def _cli(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "tutor"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "tutor", *args]


def cli_times(index_dir: Path, runs: int) -> dict:
    """Wall time of ``tutor --help`` and ``tutor status`` (median of ``runs``), the heavy modules each one
    imported, and the slowest imports of ``tutor status`` (``python -X importtime``)."""
    env = {**os.environ, **QUIET_ENV, "TUTOR_INDEX_DIR": str(index_dir)}
    out = {}
    for name, args in (("help", ("--help",)), ("status", ("status",))):
        times = wall_time(_cli(*args), runs, PROJECT_ROOT, env)
        probe = (f"import sys, contextlib, io\nfrom tutor.cli import main\nwith contextlib.redirect_stdout(io.StringIO()):\n"
                 f"    try: main({list(args)!r})\n    except SystemExit: pass\n"
                 f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
        done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60)
        heavy = done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else f"error: {done.stderr[-200:]}"
        out[name] = {"median_s": round(sorted(times)[len(times) // 2], 3), "min_s": round(min(times), 3), "runs": runs,
                     "heavy_imports": heavy}
    out["status"]["slowest_imports"] = slowest_imports(["-m", "tutor", "status"], env)
    return out


def slowest_imports(args: list[str], env: dict, top: int = 6) -> list[dict]:
    """The top-level imports that cost the most, from ``python -X importtime`` (cumulative microseconds)."""
    done = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| ( *)(\S+)", line)
        if m and len(m.group(2)) <= 2:  # top level, or imported directly by a top-level module
            rows.append({"module": m.group(3), "cum_ms": round(int(m.group(1)) / 1000, 1)})
    return sorted(rows, key=lambda r: r["cum_ms"], reverse=True)[:top]


def find_endpoint(client) -> str:
    """The app's API endpoint that answers a question: ``/ask`` if it has one, else a named one with "ask"."""
    info = client.view_api(print_info=False, return_format="dict") or {}
    named = list((info.get("named_endpoints") or {}).keys())
    for name in ENDPOINTS:
        if name in named:
            return name
    for name in named:
        if "ask" in name.lower():
            return name
    raise RuntimeError("the app has no question-answering API endpoint; tutor.app should expose "
                       "api_name='ask' (question string in, answer JSON out). Named endpoints: " + (", ".join(named) or "none"))


def _cold(case: dict) -> str:
    """Python source doing what the app does before its first answer: import, build (index, model, study aids), answer."""
    return ("from tutor.settings import Settings\nfrom tutor.app.build import build_app\n"
            f"build_app(Settings.from_env()).handlers.tutor.ask({case['question']!r}, unit={case.get('unit')!r})\n")


def startup_imports(settings: Settings, case: dict, work: Path) -> list[dict]:
    """The slowest imports on the app's way to its first answer (the heavy ones load lazily, inside build_app)."""
    return slowest_imports(["-c", _cold(case)], app_env(settings, work), top=8)


def startup_profile(settings: Settings, case: dict, work: Path) -> dict:
    """cProfile of the app's way to its first answer, in a fresh process."""
    body = "".join("    " + line + "\n" for line in _cold(case).splitlines())
    code = f"import json\nfrom tutor.bench.util import profile_top\n\ndef cold():\n{body}\nprint(json.dumps(profile_top(cold)))\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, env=app_env(settings, work),
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the start-up profile failed: {done.stderr.strip()[-300:]}")
    return {"what": "a fresh process importing the app, building it and answering one question",
            **json.loads(done.stdout.strip().splitlines()[-1])}


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


def _ask(client, endpoint: str, case: dict, timeout: float) -> str:
    """Ask one question within its unit (the app's unit picker); the kind of answer the app showed (answered,
    declined, safeguarding, error)."""
    reply = client.submit(case["question"], unit=case.get("unit") or "", api_name=endpoint).result(timeout=timeout)
    shown = re.findall(r'class=\\?"answer (\w+)', json.dumps(reply, default=str))
    return shown[-1] if shown else "unknown"


def serve_command(settings: Settings, port: int) -> list[str]:
    return [sys.executable, "-m", "tutor", "serve", "--host", LOOPBACK, "--port", str(port), "--index", str(settings.index_dir)]


def app_env(settings: Settings, work: Path) -> dict:
    """The app's environment: this index, extractive answers, no chat log, loopback only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    return {**env, **QUIET_ENV, "TUTOR_INDEX_DIR": str(settings.index_dir), "TUTOR_CORPUS_DIR": str(settings.corpus_dir),
            "TUTOR_EMBED_MODEL": settings.embed_model, "TUTOR_BACKEND": "extractive", "TUTOR_LOG_CHATS": "0",
            "TUTOR_DB": str(work / "app.sqlite3"), "TUTOR_HOST": LOOPBACK}


def app(settings: Settings, questions: list[dict], levels: tuple[int, ...], per_client: int, level_s: float,
        work: Path, timeout: float = 60.0, command=serve_command, extra_env: dict | None = None) -> tuple[dict, list[dict]]:
    """Start the app, time it to its first answer, then run each concurrency level; stop it. Returns the
    start-up row and one row per level. ``extra_env`` is added to the app's environment (e.g. OMP_NUM_THREADS)."""
    port = free_port()
    env = {**app_env(settings, work), **(extra_env or {})}
    t0 = time.perf_counter()
    with process(command(settings, port), env, work / "app.log", cwd=PROJECT_ROOT) as proc:
        wait_for_port(port, 180, proc)
        port_s = time.perf_counter() - t0
        url = f"http://{LOOPBACK}:{port}/"
        client = _client(url)
        endpoint = find_endpoint(client)
        first = next(q for q in questions if q.get("kind", "answerable") == "answerable")
        shown = _ask(client, endpoint, first, timeout)
        ready_s = time.perf_counter() - t0
        startup = {"port_open_s": round(port_s, 2), "first_answer_s": round(ready_s, 2), "endpoint": endpoint,
                   "first_answer": shown, "peak_rss_mb_first_answer": peak_rss_mb(proc.pid)}
        client.close()
        rows = [concurrency(url, endpoint, questions, n, per_client, level_s, timeout) for n in levels]
        startup["peak_rss_mb"] = peak_rss_mb(proc.pid)  # after every level: the serving peak
    return startup, rows


def concurrency(url: str, endpoint: str, questions: list[dict], clients: int, per_client: int, budget_s: float,
                timeout: float) -> dict:
    """``clients`` sessions at once, each asking up to ``per_client`` dev questions (each session starts at a
    different question) until ``budget_s`` has passed; answers per second and latency."""
    with ThreadPoolExecutor(clients) as pool:
        sessions = list(pool.map(lambda _: _client(url), range(clients)))
    latencies, errors, shown, lock = [], [], {}, threading.Lock()
    t_start = time.perf_counter()
    deadline = t_start + budget_s

    def learner(i: int) -> None:
        order = questions[i * 7 % len(questions):] + questions[:i * 7 % len(questions)]
        for case in order[:per_client]:
            if time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            try:
                kind = _ask(sessions[i], endpoint, case, timeout)
                with lock:
                    latencies.append(ms_since(t0))
                    shown[kind] = shown.get(kind, 0) + 1
            except Exception as exc:  # noqa: BLE001 - counted and reported, the other learners go on
                with lock:
                    errors.append(f"{exc.__class__.__name__}: {exc}"[:200])

    threads = [threading.Thread(target=learner, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline + timeout + 5 - time.perf_counter()))
    seconds = time.perf_counter() - t_start
    for s in sessions:
        s.close()
    return {"clients": clients, "answers": len(latencies), "errors": len(errors), "seconds": round(seconds, 2),
            "answers_per_s": round(len(latencies) / seconds, 2) if seconds else None,
            "latency_ms": summary(latencies), "shown": shown, "first_error": errors[0] if errors else None}
