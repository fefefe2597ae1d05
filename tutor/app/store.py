"""Chat logs and tutor reviews in SQLite (``TUTOR_DB``), the review summary, and the export of reviewed answers as
eval cases.

>>> store = Store("data/tutor.sqlite3")                                           # doctest: +SKIP
>>> chat = store.log("What is a budget?", [], answer, session="s1")              # doctest: +SKIP
>>> store.save_reviews(chat, [Verdict(sentence=0, citation=1, verdict="correct")])  # doctest: +SKIP
>>> store.summary()["accuracy"]                                                   # doctest: +SKIP
1.0

A review is one verdict per (sentence, cited passage): ``correct``, ``wrong`` or ``missing-better-passage`` (the
passage does not make the point as well as another would). Declined and safeguarding answers cite nothing; their
review is one verdict on the whole answer, stored as sentence -1, citation 0 (``correct`` = rightly declined).
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from ..errors import TutorError

VERDICTS = ("correct", "wrong", "missing-better-passage")
FILTERS = ("all", "unreviewed", "failed verification", "declined", "safeguarding")
WHOLE_ANSWER = (-1, 0)  # (sentence, citation) of a verdict on a declined or safeguarding answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,          -- the browser session, so one learner's conversation can be read in order
    created TEXT NOT NULL,          -- UTC, ISO 8601
    question TEXT NOT NULL,
    history TEXT NOT NULL,          -- JSON list of the conversation's earlier questions
    status TEXT NOT NULL,           -- answered | declined | safeguarding
    backend TEXT NOT NULL,          -- the backend that wrote the answer ('' when none did)
    reason TEXT NOT NULL DEFAULT '', -- which guard or check declined or signposted it
    verified INTEGER NOT NULL,      -- 1 when every sentence passed verification
    answer TEXT NOT NULL            -- Answer.to_json(): text, sentences, citations, retrieved passages, timings
);
CREATE TABLE IF NOT EXISTS reviews (
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    sentence INTEGER NOT NULL,
    citation INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'wrong', 'missing-better-passage')),
    comment TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL,
    PRIMARY KEY (chat_id, sentence, citation)
);
"""

_WHERE = {
    "all": "1",
    "unreviewed": "NOT EXISTS (SELECT 1 FROM reviews r WHERE r.chat_id = c.id)",
    "failed verification": "c.status = 'answered' AND c.verified = 0",
    "declined": "c.status = 'declined'",
    "safeguarding": "c.status = 'safeguarding'",
}


@dataclass(frozen=True)
class Verdict:
    sentence: int  # index into the answer's sentences (-1: the whole answer)
    citation: int  # the cited passage number n (0: the whole answer)
    verdict: str
    comment: str = ""


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Store:
    def __init__(self, path: Path | str, log_chats: bool = True):
        self.path, self.log_chats = Path(path), log_chats
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")  # readers (the review tab) never block the chat's writes
            conn.executescript(_SCHEMA)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(chats)")}
            if "reason" not in columns:  # a database from before answers had a reason
                conn.execute("ALTER TABLE chats ADD COLUMN reason TEXT NOT NULL DEFAULT ''")

    @classmethod
    def from_settings(cls, settings) -> "Store":
        return cls(settings.db, settings.log_chats)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def log(self, question: str, history, answer, session: str = "") -> int | None:
        """Store one finished answer (an ``Answer``); returns its id, or None when logging is off."""
        if not self.log_chats:
            return None
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "INSERT INTO chats (session, created, question, history, status, backend, reason, verified, answer) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session, _now(), question, json.dumps(list(history), ensure_ascii=False), answer.status,
                 answer.backend, answer.reason, int(answer.verified), json.dumps(answer.to_json(), ensure_ascii=False)))
            return cur.lastrowid

    def chats(self, filter: str = "all", limit: int = 200) -> list[dict]:
        """Logged answers, newest first, with how many verdicts each has."""
        if filter not in _WHERE:
            raise TutorError(f"Unknown review filter {filter!r}. Use one of: {', '.join(FILTERS)}.")
        sql = (f"SELECT c.id, c.created, c.question, c.status, c.backend, c.reason, c.verified, "
               f"(SELECT COUNT(*) FROM reviews r WHERE r.chat_id = c.id) AS verdicts "
               f"FROM chats c WHERE {_WHERE[filter]} ORDER BY c.id DESC LIMIT ?")
        with closing(self._connect()) as conn:
            return [dict(r) for r in conn.execute(sql, (limit,))]

    def chat(self, chat_id: int) -> dict:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)).fetchone()
        if row is None:
            raise TutorError(f"No logged answer #{chat_id}. Pick one from the list (Refresh to update it).")
        out = dict(row)
        out["history"], out["answer"] = json.loads(out["history"]), json.loads(out["answer"])
        return out

    def reviews(self, chat_id: int) -> dict[tuple[int, int], dict]:
        """{(sentence, citation): {"verdict", "comment", "updated"}} for one answer."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT * FROM reviews WHERE chat_id = ?", (chat_id,)).fetchall()
        return {(r["sentence"], r["citation"]): {k: r[k] for k in ("verdict", "comment", "updated")} for r in rows}

    def save_reviews(self, chat_id: int, verdicts: list[Verdict]) -> int:
        """Save (or replace) verdicts for one answer after checking each names a real citation of it."""
        chat = self.chat(chat_id)
        valid = _reviewable(chat)
        for v in verdicts:
            if v.verdict not in VERDICTS:
                raise TutorError(f"A verdict must be one of {', '.join(VERDICTS)}; got {v.verdict!r}.")
            if (v.sentence, v.citation) not in valid:
                raise TutorError(f"Answer #{chat_id} has no citation [{v.citation}] on sentence {v.sentence + 1}.")
        with closing(self._connect()) as conn, conn:
            conn.executemany(
                "INSERT INTO reviews (chat_id, sentence, citation, verdict, comment, updated) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (chat_id, sentence, citation) DO UPDATE SET verdict = excluded.verdict, "
                "comment = excluded.comment, updated = excluded.updated",
                [(chat_id, v.sentence, v.citation, v.verdict, v.comment.strip(), _now()) for v in verdicts])
        return len(verdicts)

    def _reviewed(self) -> list[tuple[dict, dict]]:
        with closing(self._connect()) as conn:
            ids = [r[0] for r in conn.execute("SELECT DISTINCT chat_id FROM reviews ORDER BY chat_id")]
        return [(chat, self.reviews(chat["id"])) for chat in (self.chat(i) for i in ids)]

    def summary(self) -> dict:
        """Citation accuracy (share of citation verdicts that are ``correct``), overall and by answerer, and how
        often the verifier agrees with the tutors (verifier "supported" vs tutor "correct")."""
        counts = dict.fromkeys(VERDICTS, 0)
        by_backend: dict[str, list[int]] = {}
        agree = compared = 0
        reviewed = self._reviewed()
        for chat, verdicts in reviewed:
            sentences = chat["answer"].get("sentences", [])
            for (s, _n), v in verdicts.items():
                if s < 0:
                    continue  # a whole-answer verdict, not a citation
                counts[v["verdict"]] += 1
                tally = by_backend.setdefault(chat["backend"], [0, 0])
                tally[0] += v["verdict"] == "correct"
                tally[1] += 1
                compared += 1
                agree += bool(sentences[s]["supported"]) == (v["verdict"] == "correct")
        total = sum(counts.values())
        with closing(self._connect()) as conn:
            logged = conn.execute("SELECT COUNT(*) FROM chats").fetchone()[0]
        return {
            "logged": logged, "answers_reviewed": len(reviewed), "verdicts": total, "counts": counts,
            "accuracy": counts["correct"] / total if total else None,
            "by_backend": {b: {"correct": c, "verdicts": n, "accuracy": c / n} for b, (c, n) in sorted(by_backend.items())},
            "agreement": {"agree": agree, "compared": compared, "rate": agree / compared if compared else None},
        }

    def export_cases(self, path: Path | str) -> tuple[int, int]:
        """Write reviewed answers as eval cases (the ``evals/cases.jsonl`` schema); returns (written, skipped).

        An answered question becomes an ``answerable`` case whose gold quotes are the raw text of the citations
        the tutor marked correct; a declined or safeguarding answer the tutor marked correct becomes an
        ``out_of_scope`` (``adversarial`` when the injection guard declined it) or ``disclosure`` case. Anything
        else (no correct citation, a decline the tutor disagreed with) is skipped: it has no trustworthy gold."""
        cases, skipped = [], 0
        for chat, verdicts in self._reviewed():
            answer = chat["answer"]
            comments = "; ".join(v["comment"] for v in verdicts.values() if v["comment"])
            case = {"id": f"review-{chat['id']}", "kind": "", "question": chat["question"],
                    "history": chat["history"], "gold_quotes": [], "key_facts": [],
                    "notes": f"exported from tutor review {chat['id']}" + (f"; tutor comments: {comments}" if comments else "")}
            if chat["status"] == "answered":
                good = {n for (s, n), v in verdicts.items() if s >= 0 and v["verdict"] == "correct"}
                case["kind"] = "answerable"
                case["gold_quotes"] = [c["text"] for c in answer.get("citations", []) if c["n"] in good]
            elif verdicts.get(WHOLE_ANSWER, {}).get("verdict") == "correct":
                case["kind"] = {"safeguarding": "disclosure"}.get(
                    chat["status"], "adversarial" if chat["reason"] == "injection" else "out_of_scope")
            if case["kind"] and (case["kind"] != "answerable" or case["gold_quotes"]):
                cases.append(case)
            else:
                skipped += 1
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
        tmp.replace(path)
        return len(cases), skipped


def _reviewable(chat: dict) -> set[tuple[int, int]]:
    """The (sentence, citation) pairs a tutor can give a verdict on for one logged answer."""
    sentences = chat["answer"].get("sentences", [])
    if chat["status"] != "answered" or not sentences:
        return {WHOLE_ANSWER}
    return {(i, n) for i, s in enumerate(sentences) for n in s["citations"]}
