"""Learner accounts: bcrypt hashes in a real SQLite file; the CLI adds, imports, lists and removes them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tutor.errors import TutorError
from tutor.learners.accounts import Accounts, learner_of
from tutor.learners.schedule import Deck

from tests.conftest import ROOT


def test_passwords_are_stored_as_bcrypt_hashes_and_checked(tmp_path):
    accounts = Accounts(tmp_path / "t.sqlite3")
    accounts.add("ann", "correct horse")
    stored = sqlite3.connect(tmp_path / "t.sqlite3").execute("SELECT hash FROM learners").fetchone()[0]
    assert stored.startswith("$2") and "correct horse" not in stored
    assert accounts.verify("ann", "correct horse")
    assert not accounts.verify("ann", "wrong horse") and not accounts.verify("bob", "correct horse")
    with pytest.raises(TutorError, match="already a learner called ann"):
        accounts.add("ann", "another one")
    with pytest.raises(TutorError, match="8 to 72"):
        accounts.add("cat", "short")
    with pytest.raises(TutorError, match="learner name"):
        accounts.add("no spaces please", "long enough")


def test_import_and_remove_take_what_is_stored_about_them(tmp_path):
    from tests.learners.test_schedule import item

    (tmp_path / "class.csv").write_text("name,password\nann,password-a1\nbob,password-b2\n", encoding="utf-8")
    accounts = Accounts(tmp_path / "t.sqlite3")
    assert accounts.import_csv(tmp_path / "class.csv") == 2 and accounts.names() == ["ann", "bob"]
    Deck(tmp_path / "t.sqlite3").review("ann", item(1), True, 10)
    gone = accounts.remove("ann")
    assert gone["cards"] == 1 and gone["card_reviews"] == 1 and accounts.names() == ["bob"]
    with pytest.raises(TutorError, match="No learner called ann"):
        accounts.remove("ann")


def test_who_is_learning():
    class Request:
        username, session_hash = None, "abc123"
    assert learner_of(Request(), "fallback") == "abc123"
    Request.username = "ann"
    assert learner_of(Request(), "fallback") == "ann" and learner_of(None, "fallback") == "fallback"


def test_the_cli_adds_with_stdin_lists_and_removes(tmp_path):
    env = {"TUTOR_DB": str(tmp_path / "t.sqlite3"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}

    def tutor(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "tutor", "learners", *args], input=stdin, capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)
    assert tutor("add", "ann", "--password-stdin", stdin="a long secret\n").returncode == 0
    assert tutor("list").stdout.split() == ["ann"]
    assert Accounts(tmp_path / "t.sqlite3").verify("ann", "a long secret")
    out = tutor("remove", "ann")
    assert out.returncode == 0 and "Removed ann" in out.stdout and tutor("list").stdout.startswith("No learners")
    assert "No learner called zed" in tutor("remove", "zed").stderr
