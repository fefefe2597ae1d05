"""A whole deployment on one machine, for the load test and its tests: a Postgres server, a Chroma server, the
index built into it once, ``processes`` app processes sharing both, nginx in front, and a webhook receiver standing
in for the college's safeguarding system (it counts what each alert's delivery sent; ``loadtest.main.delivered_once``
checks the counts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

from ..bench.util import LOOPBACK, QUIET_ENV, free_port, process, stop, wait_for_port
from .nginx import proxy
from .postgres import LocalPostgres, local_postgres


class Receiver:
    """The DSL's webhook: every alert POSTed to it, counted by id."""

    def __init__(self):
        self.received: Counter = Counter()
        self.server: ThreadingHTTPServer | None = None

    @contextmanager
    def running(self) -> Iterator[str]:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received[json.loads(body).get("id", "?")] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        try:
            yield f"http://{LOOPBACK}:{self.server.server_address[1]}/alerts"
        finally:
            self.server.shutdown()


@dataclass
class Deployment:
    folder: Path
    env: dict
    postgres: LocalPostgres
    chroma: subprocess.Popen
    chroma_port: int
    ports: list[int]
    apps: list[subprocess.Popen] = field(default_factory=list)
    url: str = ""
    receiver: Receiver = field(default_factory=Receiver)

    @property
    def database(self) -> str:
        return self.postgres.url

    def start_chroma(self) -> None:
        """(Re)start the Chroma server on its port, on the data it had."""
        with open(self.folder / "chroma.log", "a") as log:  # the child keeps its own copy of the handle
            self.chroma = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path",
                                            str(self.folder / "chroma"), "--host", LOOPBACK, "--port",
                                            str(self.chroma_port)], stdout=log, stderr=subprocess.STDOUT,
                                           env={**os.environ, **QUIET_ENV})
        wait_for_port(self.chroma_port, 90, self.chroma)


def app_env(folder: Path, database: str, chroma_port: int, corpus: Path, embed_model: str, webhook: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    return {**base, **QUIET_ENV, "TUTOR_DATABASE_URL": database, "TUTOR_CHROMA_HOST": LOOPBACK,
            "TUTOR_CHROMA_PORT": str(chroma_port), "TUTOR_INDEX_DIR": str(folder / "index"),
            "TUTOR_CORPUS_DIR": str(corpus), "TUTOR_EMBED_MODEL": embed_model, "TUTOR_BACKEND": "extractive",
            "TUTOR_LOG_CHATS": "1", "TUTOR_DB": str(folder / "data" / "tutor.sqlite3"), "TUTOR_DSL_WEBHOOK": webhook,
            "TUTOR_HOST": LOOPBACK, "TUTOR_CONCURRENCY": os.environ.get("TUTOR_CONCURRENCY", "4")}


@contextmanager
def deployment(folder: Path, processes: int, corpus: Path, embed_model: str = "bundled",
               proxied: bool = True) -> Iterator[Deployment]:
    """Everything started in ``folder`` (logs there too), stopped on exit. ``url`` is the proxy's address (or,
    with ``proxied=False`` and one process, the process's own)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    say = lambda line: print(f"deployment: {line} (logs in {folder})", file=sys.stderr, flush=True)  # noqa: E731
    with ExitStack() as stack:
        say("starting Postgres")
        postgres = stack.enter_context(local_postgres(folder / "pg"))
        webhook = None
        d = Deployment(folder, {}, postgres, None, free_port(), [free_port() for _ in range(processes)])
        webhook = stack.enter_context(d.receiver.running())
        say("starting the Chroma server")
        d.start_chroma()
        stack.callback(lambda: stop(d.chroma))
        d.env = app_env(folder, postgres.url, d.chroma_port, corpus, embed_model, webhook)
        say("indexing the course (minutes)")
        built = subprocess.run([sys.executable, "-m", "tutor", "ingest"], env=d.env, capture_output=True, text=True,
                               timeout=900)
        if built.returncode:
            raise RuntimeError(f"tutor ingest failed: {built.stderr.strip()[-400:]}")
        for n, port in enumerate(d.ports):
            d.apps.append(stack.enter_context(process(
                [sys.executable, "-m", "tutor", "serve", "--host", LOOPBACK, "--port", str(port)], d.env,
                folder / f"app{n + 1}.log")))
        say(f"starting {processes} app process(es), each loading its models")
        for port, app in zip(d.ports, d.apps):
            wait_for_port(port, 300, app)
        if proxied:
            listen = free_port()
            stack.enter_context(proxy(d.ports, listen, folder / "proxy"))
            d.url = f"http://{LOOPBACK}:{listen}"
        else:
            d.url = f"http://{LOOPBACK}:{d.ports[0]}"
        yield d
