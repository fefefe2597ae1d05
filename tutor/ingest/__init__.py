"""Ingest: corpus files -> ``SourceDoc`` (``load``) -> cleaned text with a map back to the raw characters
(``clean``) -> ``Chunk`` s (``chunk``) -> embeddings (``embed``) -> the index (``sync`` writes it, ``index`` opens
it; ``keyword`` is its bm25s half)."""
