"""A plugin module as an outside package would write it: importing it registers a backend."""

from tutor.answering.base import Backend
from tutor.plugins import backends


@backends.register("echo-first")
class EchoFirst(Backend):
    """Quotes the first sentence of the first passage, cited."""

    name = "echo-first"

    def __init__(self, settings=None):
        pass

    def generate(self, request):
        first = request.passages[0]
        yield f"{first.chunk.sentence_texts()[0]} [{first.n}]"
