"""A whole cohort at once, with the real parts: a Postgres server (initdb), a Chroma server (chroma run), two
``tutor serve`` processes sharing both, and nginx in front, sticky per browser. A short load test passes its
database check; then the faults: a process killed mid-load, Postgres restarted mid-load, the Chroma server down.
(The fake embedder keeps ingest quick; everything else is what a college would run.)"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict

import pytest

from tests.conftest import CORPUS
from tutor.deploy.nginx import nginx_binary
from tutor.deploy.postgres import binary
from tutor.loadtest.main import delivered_once, drive
from tutor.loadtest.report import alert_ids, check_database, figures

pytestmark = pytest.mark.slow
DISCLOSURE = "The girl next door has burn marks on her hands and her dad screams at her all the time."


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if not (binary("initdb") and binary("pg_ctl")):
        pytest.skip("Postgres is not installed; .ci/run installs it: apt-get install postgresql")
    if not nginx_binary():
        pytest.skip("nginx is not installed; .ci/run installs it: apt-get install nginx")
    import tempfile
    from pathlib import Path

    from tutor.deploy.local import deployment

    with deployment(Path(tempfile.mkdtemp(prefix="tutor-deploy-")), 2, CORPUS, embed_model="fake") as d:
        yield d


def routes(d) -> dict[str, set[str]]:
    """{route cookie: the processes (host:port) nginx sent its requests to}."""
    found = defaultdict(set)
    for line in (d.folder / "proxy" / "access.log").read_text().splitlines():
        m = re.search(r" (\S+) route=(\S+)$", line)
        if m and m.group(2).startswith("learner-"):
            found[m.group(2)] |= set(m.group(1).replace(",", " ").split())
    return found


def now() -> str:
    """The time a test's writes begin, after the previous test's (``created`` is kept to the second)."""
    from tutor.alerts.alert import utc_now

    time.sleep(1.1)
    return utc_now()


def client(d, route: str):
    from gradio_client import Client

    return Client(d.url, verbose=False, download_files=False, analytics_enabled=False,
                  httpx_kwargs={"cookies": {"tutor_route": route}, "timeout": 60})


def test_ten_learners_on_two_processes_lose_and_duplicate_nothing(deployed):
    since, started = now(), time.monotonic()
    people = drive(deployed.url, 10, 20, think=1.0)
    out = figures(people, time.monotonic() - started)
    assert out["errors"] == 0, out["error_examples"]
    assert out["actions"]["ask"]["n"] > 0 and out["actions"]["practice"]["n"] > 0
    time.sleep(8)  # queued chat-log writes and alert deliveries
    checked = check_database(deployed.database, people, since)
    assert checked["problems"] == {} and checked["answers"] > 0, checked
    ids = alert_ids(deployed.database, since)
    assert ids  # about 8% of the learners' actions are disclosures: some were made, or nothing is checked here
    assert delivered_once(deployed.receiver.received, ids)  # each alert delivered exactly once
    served = routes(deployed)
    assert all(len(ports) == 1 for ports in served.values()), served  # sticky: one process per browser
    assert len(set().union(*served.values())) == 2  # and both processes had learners


def test_a_process_killed_mid_load_sends_new_learners_to_the_other_and_loses_no_alert(deployed):
    since, result = now(), {}
    during = threading.Thread(target=lambda: result.update(people=drive(deployed.url, 4, 15, think=0.5, seed=11)))
    during.start()
    time.sleep(12)
    deployed.apps[1].kill()  # no goodbye: as a crash or the OOM killer would
    deployed.apps[1].wait(10)
    during.join(120)
    assert not during.is_alive(), "the learners who were on the killed process never finished"
    arriving = drive(deployed.url, 6, 10, think=0.5, seed=12)  # learners who come after the crash
    assert figures(arriving, 10)["errors"] == 0, figures(arriving, 10)["error_examples"]
    time.sleep(8)
    # Answers the dead process had shown but not yet written (its chat log writes in the background) may be gone,
    # and its learners' practice scores restart on the other process; no alert is lost or doubled, and the
    # learners who came after the crash lost nothing.
    everyone = check_database(deployed.database, result["people"] + arriving, since)
    assert "alerts" not in everyone["problems"], everyone
    assert not check_database(deployed.database, arriving, since)["problems"].keys() - {"alerts"}
    # a disclosure is written before its reply is shown: every one signposted before or after the crash is there
    c = client(deployed, "learner-after-crash")
    reply = c.predict(DISCLOSURE, [], "", api_name="/ask")
    assert "safeguarding" in str(reply) and len(alert_ids(deployed.database, since)) >= 1


def test_postgres_restarted_mid_load_recovers_without_restarting_the_app(deployed):
    since, result = now(), {}
    during = threading.Thread(target=lambda: result.update(people=drive(deployed.url, 4, 25, think=0.5, seed=21)))
    during.start()
    time.sleep(10)
    deployed.postgres.restart(down_seconds=3)
    during.join(180)
    people = result["people"]
    late = [s for p in people for s in p.steps[-2:]]  # each learner's last actions: after the restart
    assert all(not s.error for s in late), [s.error for s in late if s.error]
    time.sleep(12)  # writes retried by the chat-log writer, alerts kept aside and rewritten every 5 s
    checked = check_database(deployed.database, people, since)
    assert checked["problems"] == {}, checked  # nothing the learners were shown was lost


def test_chroma_down_gives_a_clear_message_and_still_answers_a_disclosure(deployed):
    from tutor.bench.util import stop

    stop(deployed.chroma)
    try:
        c = client(deployed, "learner-chroma-down")
        reply = str(c.predict("What does CAF stand for?", [], "", api_name="/ask"))
        assert "answer error" in reply and "course search is not answering" in reply
        reply = str(c.predict(DISCLOSURE, [], "", api_name="/ask"))
        assert "answer safeguarding" in reply
    finally:
        deployed.start_chroma()
    reply = str(client(deployed, "learner-chroma-back").predict("What does CAF stand for?", [], "", api_name="/ask"))
    assert "answer error" not in reply
