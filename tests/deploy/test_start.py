"""The app's start when its database is down: one line naming TUTOR_DATABASE_URL, before any model loads."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT
from tutor.bench.util import free_port


def test_a_database_that_is_down_at_start_is_one_line_naming_the_setting(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTOR_")}
    env |= {"TUTOR_DATABASE_URL": f"postgresql://tutor:secret@127.0.0.1:{free_port()}/tutor",
            "TUTOR_DB": str(tmp_path / "tutor.sqlite3"), "TUTOR_INDEX_DIR": str(tmp_path / "no-index")}
    done = subprocess.run([sys.executable, "-m", "tutor", "serve", "--port", str(free_port())], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: Cannot reach the database TUTOR_DATABASE_URL=postgresql://tutor:***@127.0.0.1:")
    assert "secret" not in line and "Start it, or set TUTOR_DATABASE_URL" in line
