"""Study aids made from the index: quiz items (``items``) with tolerant checking (``checking``), model-written
short-answer items (``model_items``), the glossary of acronyms (``glossary``) and starter questions
(``starters``)."""
