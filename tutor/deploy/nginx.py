"""The reverse proxy in front of several ``tutor serve`` processes: nginx, sticky per browser.

Stickiness: a learner's streamed answer is a Gradio queue session (``/gradio_api/queue/join`` then the
``/queue/data`` event stream), which lives in one process, so every request of one browser must reach the same
process. ``ip_hash`` would send a whole college behind one NAT address (and every local test client) to one
process, so the proxy hashes a ``tutor_route`` cookie instead: set by nginx on the first response (its
``$request_id``, random), kept by the browser. When a process dies, nginx marks it failed and the same hash picks
the next live process: new requests (and new learners) go on there.

>>> print(config([7861, 7862], 8080, Path("/srv/tutor-proxy")).split("upstream tutor {")[1].split("}")[0].strip())
hash $tutor_route consistent;
    server 127.0.0.1:7861 max_fails=1 fail_timeout=10s;
    server 127.0.0.1:7862 max_fails=1 fail_timeout=10s;
"""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..bench.util import LOOPBACK, stop, wait_for_port
from ..errors import TutorError

NGINX = "/usr/sbin/nginx"  # Debian's; else whatever is on PATH


def config(ports: list[int], listen: int, folder: Path, host: str = LOOPBACK) -> str:
    """nginx.conf for app processes on ``host``:``ports``, listening on ``listen`` (a college puts TLS in front,
    or adds ``ssl_certificate`` lines here). ``folder`` holds the pid file, logs and temporary files."""
    servers = "\n".join(f"    server {host}:{p} max_fails=1 fail_timeout=10s;" for p in ports)
    temp = "\n".join(f"  {kind}_temp_path {folder}/tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  log_format routed '$remote_addr "$request" $status $upstream_addr route=$tutor_route';
  access_log {folder}/access.log routed;  # which process served each request, per browser route
{temp}
  # the browser's route: its tutor_route cookie, or a new random one (sent back below)
  map $cookie_tutor_route $tutor_route {{ "" $request_id; default $cookie_tutor_route; }}
  map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
  upstream tutor {{
    hash $tutor_route consistent;
{servers}
  }}
  server {{
    listen {host}:{listen};
    client_max_body_size 20m;
    location / {{
      proxy_pass http://tutor;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;  # answers stream sentence by sentence (server-sent events)
      proxy_read_timeout 300s;
      proxy_next_upstream error timeout http_502 http_503;  # a dead process: the request goes to the next one
      add_header Set-Cookie "tutor_route=$tutor_route; Path=/; HttpOnly; SameSite=Lax" always;
    }}
  }}
}}
"""


def nginx_binary() -> str | None:
    return NGINX if Path(NGINX).exists() else shutil.which("nginx")


@contextmanager
def proxy(ports: list[int], listen: int, folder: Path) -> Iterator[subprocess.Popen]:
    """nginx in the foreground with ``config``; stopped on exit. Raises when nginx is not installed."""
    exe = nginx_binary()
    if not exe:
        raise TutorError("nginx is not installed. Install it: apt-get install nginx")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(config(ports, listen, folder), encoding="utf-8")
    checked = subprocess.run([exe, "-t", "-q", "-c", str(conf), "-p", str(folder)], capture_output=True, text=True)
    if checked.returncode:
        raise TutorError(f"nginx rejected {conf}: {checked.stderr.strip()[-300:]}")
    with open(folder / "nginx.out", "w") as out:
        proc = subprocess.Popen([exe, "-c", str(conf), "-p", str(folder), "-g", "daemon off;"], stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            wait_for_port(listen, 20, proc)
            yield proc
        finally:
            stop(proc)
