"""Text helpers, one implementation each, used by every stage: words and stems (``tokens``), sentences
(``sentences``), numbers and number words (``numbers``), capitalised names (``names``), acronyms and their
expansions (``acronyms``) and negation (``negation``)."""

from .tokens import STOPWORDS, content_words, fold, squash, stem, terms, words, zipf

__all__ = ["STOPWORDS", "content_words", "fold", "squash", "stem", "terms", "words", "zipf"]
