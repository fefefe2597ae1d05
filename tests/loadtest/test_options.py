"""``tutor loadtest``'s options: runs pair learners with seconds, and a remote deployment names its database."""

from types import SimpleNamespace

import pytest

from tutor.errors import TutorError
from tutor.loadtest.main import main, runs


def test_one_duration_serves_every_run_and_mismatched_lists_are_refused():
    assert runs("20,50,100", "20") == [(20.0, 20.0), (50.0, 20.0), (100.0, 20.0)]
    assert runs("10,20", "30,60") == [(10.0, 30.0), (20.0, 60.0)]
    with pytest.raises(TutorError, match="--learners has 3 values and --seconds 2"):
        runs("20,50,100", "20,40")


def test_a_remote_deployment_without_a_database_to_check_is_refused_before_any_learner_starts():
    args = SimpleNamespace(url="http://127.0.0.1:9", local=0, database=None, learners="5", seconds="5")
    with pytest.raises(TutorError, match="--database"):
        main(args, SimpleNamespace(database_url="", db="data/tutor.sqlite3"))
