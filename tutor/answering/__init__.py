"""Answering: backends that draft an answer from numbered passages (``base`` is the interface; ``extractive``,
``local``, ``hosted``, ``fake``), tried in order by the fallback ``chain``. Prompts are data in ``prompts/``."""
