"""A throwaway Postgres server in a folder: ``initdb``, then ``pg_ctl start`` on a loopback port, for the load test
and the tests (a college runs its own server and sets ``TUTOR_DATABASE_URL``).

The binaries are found on ``PATH`` or in Debian's ``/usr/lib/postgresql/<version>/bin``. Postgres refuses to run as
root, so as root it runs as the ``postgres`` user (Debian's package makes one), with the folder handed to it.

>>> binary("no-such-postgres-tool") is None
True
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..bench.util import LOOPBACK, free_port
from ..errors import TutorError

USER = "postgres"  # who runs the server when we are root


def binary(name: str) -> str | None:
    """The path of a Postgres program (initdb, pg_ctl), or None when Postgres is not installed."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[3]))
    return versions[-1] if versions else None


class LocalPostgres:
    """One server in ``folder`` on ``port``; ``url`` is what TUTOR_DATABASE_URL would hold."""

    def __init__(self, folder: Path, port: int | None = None):
        if not (binary("initdb") and binary("pg_ctl")):
            raise TutorError("Postgres is not installed (no initdb or pg_ctl on PATH or in /usr/lib/postgresql/*/bin). "
                             "Install it: apt-get install postgresql")
        self.folder, self.port = Path(folder), port or free_port()
        self.data, self.log = self.folder / "pgdata", self.folder / "postgres.log"
        self.url = f"postgresql://{USER}@{LOOPBACK}:{self.port}/tutor"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", USER, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and done.returncode:
            raise TutorError(f"{' '.join(args[:2])} failed: {(done.stderr or done.stdout).strip()[-400:]}")
        return done

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam(USER)
            for p in (self.folder, *self.folder.parents):  # the postgres user must reach its folder
                if p == Path("/"):
                    break
                p.chmod(p.stat().st_mode | 0o011)
            os.chown(self.folder, user.pw_uid, user.pw_gid)
        self._run(binary("initdb"), "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-c listen_addresses={LOOPBACK} -c port={self.port} -c unix_socket_directories='' -c fsync=off"
        self._run(binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self, down_seconds: float = 0.0) -> None:
        """Stop the server (connections in use break), wait, start it again on the same port."""
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def create_database(self, name: str = "tutor") -> None:
        psql = binary("psql")
        self._run(psql, "-h", LOOPBACK, "-p", str(self.port), "-U", USER, "-d", "postgres", "-c",
                  f"CREATE DATABASE {name}")


@contextmanager
def local_postgres(folder: Path, port: int | None = None) -> Iterator[LocalPostgres]:
    """A fresh server with an empty ``tutor`` database; stopped (and its folder left for reading) on exit."""
    server = LocalPostgres(folder, port)
    server.init()
    server.start()
    try:
        server.create_database()
        yield server
    finally:
        server.stop("immediate")
