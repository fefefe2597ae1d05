"""One simulated learner: a ``gradio_client`` session that, until its deadline, asks (half of the time a follow-up
in the same conversation), asks for a hint, answers a practice question, views its progress, and now and then
writes a disclosure, pausing ``think`` seconds between actions as a person reads.

Each learner sends a ``tutor_route`` cookie of its own, as a browser keeps the one the proxy set, so the proxy
keeps it on one process. What it did is kept as ``Step``s; what it expects the database to hold afterwards as
``wrote`` (questions asked, practice answers checked, disclosures sent), by its Gradio session (the ``learner`` the
app logs for an anonymous session).
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from ..question import clean_text

ACTIONS = {"ask": 0.40, "hint": 0.15, "practice": 0.25, "progress": 0.12, "disclosure": 0.08}  # shares of actions
ACTION_SECONDS = 60.0  # an action still unanswered after this long is an error (a process died under it)
SHOWN = re.compile(r'class=\\?"answer (\w+)')  # the kind of answer the page shows: answered, declined, ...


@dataclass
class Step:
    action: str
    seconds: float  # until the action's last update
    first: float | None = None  # until its first update (the first text of a streamed answer)
    error: str = ""  # "" when it worked


@dataclass
class Learner:
    url: str
    number: int
    cases: dict  # {"answerable": [(unit, question)], "disclosure": [...]}
    think: float = 1.0
    seed: int = 0
    steps: list[Step] = field(default_factory=list)
    asked: Counter = field(default_factory=Counter)  # question -> times the app answered it (each logged once)
    practised: int = 0  # practice answers checked (each one card review)
    disclosed: Counter = field(default_factory=Counter)  # disclosure -> times signposted (each one alert)
    unsure: Counter = field(default_factory=Counter)  # question -> sent but not seen answered (a timeout, an error):
    # the app may still have answered, logged and alerted it
    session: str = ""  # the Gradio session the app logs as this learner

    def run(self, deadline: float) -> "Learner":
        from gradio_client import Client

        rng = random.Random(self.seed * 7919 + self.number)
        try:
            client = Client(self.url, verbose=False, download_files=False, analytics_enabled=False,
                            httpx_kwargs={"cookies": {"tutor_route": f"learner-{self.seed}-{self.number}"},
                                          "timeout": 120})
        except Exception as exc:  # noqa: BLE001 - a learner who cannot load the page is an error, not a crash
            self.steps.append(Step("open", 0.0, error=f"{type(exc).__name__}: {exc}"[:200]))
            return self
        self.session, chat = client.session_hash, []
        while time.monotonic() < deadline:
            action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
            chat = self._do(client, action, rng, chat)
            time.sleep(rng.uniform(0.5, 1.5) * self.think)
        client.close() if hasattr(client, "close") else None
        return self

    def _do(self, client, action: str, rng: random.Random, chat: list) -> list:
        started = time.monotonic()
        try:
            if action in ("ask", "disclosure", "hint"):
                kind = "disclosure" if action == "disclosure" else "answerable"
                unit, question = rng.choice(self.cases[kind])
                history = chat if action == "ask" and chat and rng.random() < 0.5 else []  # a follow-up
                job = client.submit(question, history, unit, api_name="/hint" if action == "hint" else "/ask")
                first = None
                while not job.done():  # polled, not iterated: a stream cut off by a dead process must not hang here
                    if first is None and job.outputs():
                        first = time.monotonic() - started  # the first text the learner sees
                    if time.monotonic() - started > ACTION_SECONDS:
                        job.cancel()
                        raise TimeoutError(f"no answer after {ACTION_SECONDS:.0f} s")
                    time.sleep(0.02)
                final = job.result(timeout=5)
                first = time.monotonic() - started if first is None else first
                shown = SHOWN.findall(str(final))
                if "error" in shown:
                    raise RuntimeError(re.sub(r"<[^>]+>", "", str(final))[-200:])
                self.asked[clean_text(question)] += 1  # the app logs every answer it gives (as cleaned), hints' too
                if action == "disclosure" and "safeguarding" in shown:
                    self.disclosed[clean_text(question)] += 1
                chat = final[1] if action == "ask" and isinstance(final, (list, tuple)) and len(final) > 1 else []
                self.steps.append(Step(action, time.monotonic() - started, first))
            elif action == "practice":  # the next card, then an answer to it: the first try at a card is a review
                client.submit(api_name="/next_card").result(timeout=ACTION_SECONDS)
                _, score = client.submit(rng.choice(["true", "false", "a", "b", "12", "the CAF"]),
                                         api_name="/check").result(timeout=ACTION_SECONDS)
                self.practised = int(re.findall(r"/ (\d+)", score)[-1])  # answers the app counted this session
                self.steps.append(Step(action, time.monotonic() - started))
            else:
                client.submit("", api_name="/progress").result(timeout=ACTION_SECONDS)
                self.steps.append(Step(action, time.monotonic() - started))
        except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, none stops the run
            if action in ("ask", "disclosure", "hint") and "question" in locals():
                self.unsure[clean_text(question)] += 1
            self.steps.append(Step(action, time.monotonic() - started, error=f"{type(exc).__name__}: {exc}"[:200]))
        return chat
