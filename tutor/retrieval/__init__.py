"""Retrieval: a question repaired against the units' ``vocabulary`` (``query``), searched densely and by keyword
and fused (``hybrid``), numbered as passages whose sentences are ranked for the question (``passages``); also a
LangChain retriever (``langchain``)."""
