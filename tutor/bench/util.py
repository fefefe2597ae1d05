"""Measuring tools for ``tutor bench``: percentiles, time budgets, cProfile summaries, peak memory, and the
loopback servers the bench starts and always stops (a ``chroma run`` and the tutor app).

>>> summary([10.0, 20.0, 30.0, 40.0])
{'n': 4, 'p50': 25.0, 'p95': 38.5, 'mean': 25.0, 'max': 40.0}
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..evals.metrics import percentile

LOOPBACK = "127.0.0.1"
QUIET_ENV = {"ANONYMIZED_TELEMETRY": "False", "CHROMA_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False",
             "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def summary(values: list[float], digits: int = 1) -> dict:
    """p50/p95/mean/max of a list of timings (same unit in, same unit out); n=0 gives nulls."""
    if not values:
        return {"n": 0, "p50": None, "p95": None, "mean": None, "max": None}
    return {"n": len(values), "p50": round(percentile(values, 50), digits), "p95": round(percentile(values, 95), digits),
            "mean": round(sum(values) / len(values), digits), "max": round(max(values), digits)}


class Budget:
    """A time budget for one loop: ``while budget.left(): ...`` stops once ``seconds`` have passed."""

    def __init__(self, seconds: float):
        self.seconds, self.start = seconds, time.monotonic()

    def left(self) -> bool:
        return time.monotonic() - self.start < self.seconds

    @property
    def remaining(self) -> float:
        return max(0.0, self.seconds - (time.monotonic() - self.start))


def ms_since(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def profile_top(fn: Callable[[], object], limit: int = 12, project: str = "tutor") -> dict:
    """Run ``fn`` under cProfile; the functions with the most cumulative time, and those with the most time of
    their own (the hot spots), as rows ``{"function": "tutor/retrieve.py:83 search", "calls": 40, "cum_s": 1.2,
    "own_s": 0.01}``. The profiler's own frames are left out."""
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    seconds = time.perf_counter() - t0
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (filename, line, name), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "/tutor/bench/" in filename or "cProfile" in name or name == "<built-in method builtins.exec>":
            continue
        rows.append({"function": f"{_short(filename, project)}:{line} {name}", "calls": calls,
                     "cum_s": round(cum, 3), "own_s": round(own, 3)})
    return {"seconds": round(seconds, 2),
            "cumulative": sorted(rows, key=lambda r: r["cum_s"], reverse=True)[:limit],
            "own": sorted(rows, key=lambda r: r["own_s"], reverse=True)[:limit // 2]}


def _short(filename: str, project: str) -> str:
    """'/x/.venv/lib/python3.11/site-packages/chromadb/api/client.py' -> 'chromadb/api/client.py'."""
    if "site-packages/" in filename:
        return filename.rsplit("site-packages/", 1)[1]
    if f"/{project}/" in filename:
        return project + "/" + filename.rsplit(f"/{project}/", 1)[1]
    stdlib = re.search(r"lib/python3\.\d+/(.+)", filename)
    return stdlib.group(1) if stdlib else filename


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process, from /proc; None where /proc is unavailable."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def folder_mb(folder: Path) -> float:
    """Megabytes (10^6 bytes, as ``tutor status`` counts them) of every file under ``folder``."""
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Return once something listens on the loopback port; raise if ``proc`` exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before listening on port {port}")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {LOOPBACK}:{port} after {timeout:.0f} s")


def stop(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """Terminate a process we started; kill it if it does not exit within ``grace`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@contextmanager
def chroma_server(folder: Path, timeout: float = 90.0) -> Iterator[tuple[str, int]]:
    """A real ``chroma run`` on a free loopback port, stopped on exit. Its log is ``folder/chroma.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    exe = Path(sys.executable).parent / "chroma"
    with open(folder / "chroma.log", "w") as log:
        proc = subprocess.Popen([str(exe), "run", "--path", str(folder / "data"), "--host", LOOPBACK, "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **QUIET_ENV})
        try:
            wait_for_port(port, timeout, proc)
            yield LOOPBACK, port
        finally:
            stop(proc)


@contextmanager
def process(cmd: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None) -> Iterator[subprocess.Popen]:
    """Start ``cmd`` with its output in ``log_path``; always stopped on exit."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        try:
            yield proc
        finally:
            stop(proc)


def wall_time(cmd: list[str], runs: int, cwd: Path, env: dict[str, str] | None = None, timeout: float = 60) -> list[float]:
    """Seconds for each of ``runs`` runs of a command, start to exit (a warm-up run first, not counted)."""
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[-2:])} exited with {done.returncode}: {done.stderr.strip()[-300:]}")
        if i:
            times.append(time.perf_counter() - t0)
    return times
