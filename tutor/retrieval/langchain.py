"""The unit index as a LangChain retriever.

Setup: ``tutor ingest``. Then::

    >>> from tutor.retrieval.langchain import UnitRetriever
    >>> docs = UnitRetriever(k=3).invoke("What does the unit say about record keeping?")  # doctest: +SKIP
    >>> docs[0].metadata["source"], docs[0].metadata["raw_start"]                        # doctest: +SKIP

Pass ``history=[...]`` to ``invoke`` for follow-up questions, and ``k=`` to override the number of documents.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ..settings import Settings
from .passages import Passage


def to_document(hit: Passage) -> Document:
    c = hit.chunk
    return Document(id=c.id, page_content=c.text, metadata={
        "chunk_id": c.id, "source": c.source, "title": c.title, "paragraph": c.paragraph, "raw_start": c.raw_start,
        "raw_end": c.raw_end, "sentence_start": c.sentence_start, "sentence_end": c.sentence_end,
        "score": hit.score, "dense": hit.dense, "keyword": hit.keyword, **c.meta})


class UnitRetriever(BaseRetriever):
    """LangChain retriever over the unit index (hybrid, with query repair).

    Setup: ``tutor ingest``. Use: ``UnitRetriever(k=3).invoke("What is opportunity cost?")``; pass
    ``history=[...]`` to ``invoke`` for follow-up questions, and ``k=`` to override the number of documents;
    ``unit="<slug>"`` searches one unit only (``tutor status`` lists them).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    k: int = 5
    unit: str | None = None
    settings: Settings | None = None
    resources: object = None  # a tutor.resources.Resources shared with a Tutor; made from the settings when None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, history: list[str] | None = None) -> list[Document]:
        if self.resources is None:
            from ..resources import Resources

            self.resources = Resources(self.settings or Settings.from_env())
        retrieval = self.resources.live().retriever.search(query, tuple(history or ()), k=k or self.k, unit=self.unit)
        return [to_document(p) for p in retrieval.passages]
