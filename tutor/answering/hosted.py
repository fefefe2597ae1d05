"""The ``hosted`` backend: any LangChain chat model named ``provider:model`` (made by LangChain's
``init_chat_model``), or an OpenAI-compatible server at TUTOR_LLM_BASE_URL. Needs the ``hosted`` extra."""

from __future__ import annotations

import os
from typing import Iterator

from ..errors import BackendError, ConfigError, missing_extra
from ..plugins import backends
from ..settings import Settings
from .base import Backend, Request, passages_block, render


@backends.register("hosted")
class HostedBackend(Backend):
    can_condense = True
    can_complete = True

    @classmethod
    def configured(cls, settings: Settings) -> bool:
        return settings.hosted_configured

    def __init__(self, settings: Settings):
        if not settings.hosted_configured:
            raise ConfigError("The hosted backend needs TUTOR_LLM (e.g. openai:gpt-4o-mini) or TUTOR_LLM_BASE_URL.")
        # A bare TUTOR_LLM_BASE_URL means an OpenAI-compatible server serving whatever model it has loaded.
        self.model = settings.llm if ":" in settings.llm else f"openai:{settings.llm or 'default'}"
        self.settings = settings
        self.name = f"hosted:{settings.llm or 'default'}"
        self._chat = None

    def chat(self):
        """The chat model, made once by LangChain's ``init_chat_model`` from TUTOR_LLM."""
        if self._chat is None:
            from langchain.chat_models import init_chat_model

            s = self.settings
            options: dict = {"temperature": 0}
            if not self.model.startswith("ollama:"):  # ChatOllama takes no timeout or retry options
                options.update(timeout=s.llm_timeout, max_retries=0)
            if s.llm_base_url:
                options["base_url"] = s.llm_base_url
            if self.model.startswith("openai:"):  # a local OpenAI-compatible server needs no key
                options["api_key"] = os.environ.get("OPENAI_API_KEY") or "not-needed"
            try:
                self._chat = init_chat_model(self.model, **options)
            except ImportError as exc:
                raise missing_extra(exc.name or "the provider's langchain package", "hosted") from None
            except ValueError as exc:
                raise ConfigError(f"TUTOR_LLM={s.llm!r} is not a chat model LangChain knows: {exc}".split("\n")[0]
                                  ) from None
        return self._chat

    def generate(self, request: Request) -> Iterator[str]:
        prompt = render("answer", passages=passages_block(request.passages), question=request.search_text)
        try:
            for chunk in self.chat().stream(prompt):
                yield chunk.content if isinstance(chunk.content, str) else ""
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001 - network, auth, timeout: the chain falls back
            raise BackendError(f"{self.name} failed: {exc.__class__.__name__}: {exc}") from exc

    def complete(self, prompt: str) -> str:
        """One whole reply to one prompt (quiz items); errors come back as BackendError."""
        try:
            return str(self.chat().invoke(prompt).content)
        except ConfigError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise BackendError(f"{self.name} failed: {exc.__class__.__name__}: {exc}") from exc

    def condense(self, question: str, history: tuple[str, ...]) -> str:
        prompt = render("condense", history="\n".join(f"- {h}" for h in history), question=question)
        try:
            return str(self.chat().invoke(prompt).content).strip().splitlines()[0] or question
        except Exception:  # noqa: BLE001 - condensing is an optimisation; the keyword expansion still applies
            return question


