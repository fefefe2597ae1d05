"""The one hook through which answer backends and embedders are registered, built-in or not.

A package adds a backend by declaring an entry point in the ``tutor.plugins`` group that names a module; loading
the module registers what it defines::

    # pyproject.toml of a plugin package
    [project.entry-points."tutor.plugins"]
    my_backend = "my_package.tutor_plugin"

    # my_package/tutor_plugin.py
    from tutor.plugins import backends

    @backends.register("mine")
    class MyBackend(Backend): ...

The tutor's own backends and embedders register through the same decorators; their modules (``BUILTIN``) are
loaded first, then every plugin's, as simonw/llm loads its default plugins before the installed ones.

>>> r = Registry("widget")
>>> @r.register("blue")
... def blue(settings): return "a blue widget"
>>> r.create("blue", None), r.names()
('a blue widget', ['blue'])
"""

from __future__ import annotations

import importlib
import logging
import threading
from importlib.metadata import entry_points
from typing import Callable

from .errors import ConfigError

log = logging.getLogger("tutor")
GROUP = "tutor.plugins"
BUILTIN = ("tutor.answering.extractive", "tutor.answering.local", "tutor.answering.hosted", "tutor.ingest.embed")
_loaded = False
_lock = threading.Lock()


def load_plugins() -> None:
    """Import the built-in backends and embedders, then every module named in the ``tutor.plugins`` entry point
    group, once per process."""
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
        for module in BUILTIN:
            importlib.import_module(module)
        for ep in entry_points(group=GROUP):
            try:
                ep.load()
            except Exception as exc:  # noqa: BLE001 - one broken plugin must not stop the tutor
                log.warning("plugin %s (%s) failed to load: %s", ep.name, ep.value, exc)


class Registry:
    """Factories by name; ``create`` builds one, and an unknown name gets an error listing the known ones."""

    def __init__(self, kind: str, setting: str = ""):
        self.kind, self.setting = kind, setting
        self.factories: dict[str, Callable] = {}

    def register(self, name: str):
        def wrap(factory):
            self.factories[name] = factory
            return factory
        return wrap

    def names(self) -> list[str]:
        load_plugins()
        return sorted(self.factories)

    def __contains__(self, name: str) -> bool:
        load_plugins()
        return name in self.factories

    def get(self, name: str) -> Callable:
        load_plugins()
        if name not in self.factories:
            where = f" ({self.setting})" if self.setting else ""
            raise ConfigError(f"Unknown {self.kind} {name!r}{where}. Known {self.kind}s: {', '.join(self.names())}")
        return self.factories[name]

    def create(self, name: str, *args, **kwargs):
        return self.get(name)(*args, **kwargs)


backends = Registry("backend", "TUTOR_BACKEND")
embedders = Registry("embedder", "TUTOR_EMBED_MODEL")
