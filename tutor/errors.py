"""One error family for the package. The CLI and the UI turn these into a message, never a traceback."""


class TutorError(Exception):
    """Base class: the message says what happened and what to do next."""


class ConfigError(TutorError):
    """A setting is invalid or a needed package is missing."""


class NoIndexError(TutorError):
    """The index has not been built yet."""

    def __init__(self, location: str):
        super().__init__(f"No index found at {location}. Run: tutor ingest")


class InputError(TutorError):
    """The learner's input cannot be answered as it is (empty, too long)."""


class BackendError(TutorError):
    """An answer backend failed (error, timeout, or nothing verifiable); the chain tries the next one."""


def missing_extra(package: str, extra: str) -> ConfigError:
    """The error for an optional dependency that is not installed, naming the extra that brings it."""
    return ConfigError(f"{package} is not installed. Run: pip install 'tutor[{extra}]'")
