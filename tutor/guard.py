"""Deciding what kind of answer to give before anything is generated: a safeguarding disclosure, an attempt to
change the tutor's instructions, a false premise, or a question the unit does not cover.

>>> is_disclosure("the boy I babysit says his dad locks him in a cupboard")
True
>>> is_disclosure("Why did Baby P die when social services saw him sixty times?")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import zipf
from .text import STOPWORDS, fold, numbers, squash, stem, terms, words

_F = re.IGNORECASE
_RELATION = (r"mum|mom|mother|dad|father|step-?\w+|brother|sister|son|daughter|nephew|niece|cousin|friend|"
             r"neighbou?r|pupil|student|grandchild|grandson|granddaughter|child|kid|kids|children|baby|toddler|"
             r"boyfriend|girlfriend|partner|uncle|aunt|auntie|carer|foster \w+|classmate|mate")
_REAL_PERSON = [
    re.compile(rf"\bmy (?:[\w'-]+ ){{0,2}}(?:{_RELATION})s?\b", _F),
    re.compile(r"\b(?:on|at|in|during|from) my (?:[\w-]+ ){0,2}(?:experience|placement|job|shift|setting|work|"
               r"volunteering|club|team|group|class|school|nursery|street|estate|road|block|church|scouts|guides)\b", _F),
    re.compile(r"\bwhere (?:i|we) (?:work|volunteer|babysit|study|train|help out|live)\b", _F),
    re.compile(r"^(?=.*\b(?:a|the|this|one|our|some|these) (?:little |young |\d+[- ]year[- ]old )?(?:boy|girl|child|"
               r"children|kid|kids|toddler|toddlers|baby|babies|lad|teenager|pupil|\d+[- ]year[- ]old)s?\b)"
               r"(?=.*\b(?:today|tonight|yesterday|last night|this morning|this week|every night|most nights|right now|"
               r"at the moment|keeps|again|still)\b)", _F),
    re.compile(r"\b(?:mum|mom|dad|stepdad|stepmum|mother|father|uncle|brother|sister)\b (?:was|is|keeps|gets|got|hit|"
               r"hits|threw|throws|shouts|shouted|drinks|locks|locked)\b", _F),
    re.compile(r"\b(?:don'?t|do not|never) want to go home\b", _F),
    re.compile(r"\bi'?m (?:only |just )?(?:\d{1,2}|a (?:kid|child|teenager|teen))\b", _F),
    re.compile(r"\bi am (?:only |just )?(?:\d{1,2}|a (?:kid|child|teenager|teen))\b", _F),
    re.compile(r"\b(?:boy|girl|child|kid|baby|toddler|little one|teenager|teen|pupil|student|lad|lass)s? "
               r"(?:who |that |whom )?(?:i|we) (?:babysit|look after|care for|nanny|teach|work with|mind|support|know|look out for)", _F),
    re.compile(r"\b(?:boy|girl|child|kid|baby|toddler|pupil|student|family)s? (?:at|in|from|on|next door|down) "
               r"(?:my|our|the) ?(?:placement|setting|nursery|school|class|work|club|street|road|building|estate|flat|door)?", _F),
    re.compile(r"\b(?:in|at) (?:my|our) (?:class|placement|setting|nursery|room|care|school|house|home)\b", _F),
    re.compile(r"\b(?:told|tells|telling|said|says|disclosed|confided in) (?:me|us)\b", _F),
    re.compile(r"\b(?:hurts?|hits?|beats?|touche[sd]|scares?|threatens?|locks?|hurting|hitting|touching|threw|throws|"
               r"pushe[sd]|push|grab(?:s|bed)?|kick(?:s|ed)?|slap(?:s|ped)?|punch(?:es|ed)?)(?: [\w-]+){0,2} (?:at )?me\b", _F),
    re.compile(r"\b(?:i'?m|i am|i feel) (?:scared|afraid|frightened|terrified|unsafe|not safe)\b", _F),
    re.compile(r"\b(?:next door|neighbou?rs?)\b", _F),
]
_HARM = re.compile(
    r"\b(?:hit|hits|hitting|beat|beats|beating|beaten|hurt|hurts|hurting|kick\w*|punch\w*|slap\w*|smack\w*|burn\w*|"
    r"bruis\w*|lock\w* (?:\w+ )?(?:in|out|up)|cupboard|scared|afraid|frightened|terrified|unsafe|not safe|"
    r"touch\w*|abus\w*|neglect\w*|hungry|starving|no food|not fed|doesn'?t feed|left (?:alone|on (?:their|his|her) own)|"
    r"home alone|shout\w*|scream\w*|threat\w*|sexual\w*|inappropriate\w*|naked|self-?harm\w*|cuts? (?:himself|herself|themselves)|"
    r"suicid\w*|kill\w*|run(?:ning)? away|won'?t let|drunk|drugs?|weapon|knife|injur\w*|marks on|cigarette|groom\w*|"
    r"starve\w*|dirty|filthy|screaming|crying all|violent|violence|rough(?:ly)? with|shook|shake|shaking|bleed\w*|"
    r"blood|rash|nappy|nappies|(?:send|sending|sent|take|taking|took) (?:\w+ ){0,2}(?:pictures|photos|images|videos)|"
    r"sleeps? (?:in (?:the|a) car|rough|on the streets?)|sleeping (?:in (?:the|a) car|rough)|not to tell|"
    r"keep (?:it )?(?:a )?secret|homeless|no heating|locked out|fights?|bruises?|alcohol|much older|older man|threw|"
    r"throws|don'?t want to go home|(?:gives?|gave|giving) (?:her|him|them) (?:alcohol|drink|drugs|money|gifts|cigarettes))\b", _F)
_INJECTION = [
    re.compile(r"\b(?:ignore|forget|disregard|override|bypass|drop)\b.{0,40}\b(?:instruction|rule|prompt|unit|above|"
               r"previous|guideline|system|restriction|context)s?\b", _F),
    re.compile(r"\b(?:reveal|show|print|repeat|display|leak|output|tell me|what are|what is|give me)\b.{0,30}\b(?:system prompt|"
               r"hidden (?:rules?|instructions?|prompt)|your (?:rules|instructions|prompt|guidelines|system))", _F),
    re.compile(r"\[\s*(?:admin|system|developer|sudo|root|mod|moderator|assistant)\s*\]", _F),
    re.compile(r"^\s*(?:system|admin|developer)\s*:", _F | re.MULTILINE),
    re.compile(r"\b(?:new rule|new instructions?|you are now|from now on|developer mode|jailbreak|do anything now|"
               r"pretend (?:you|to be)|act as (?:a|an|my)|roleplay as|agree with everything|no longer bound)\b", _F),
]
_PREMISE = [
    re.compile(r"\b(?:quote|line|passage|sentence|part|bit|section) (?:that|which|where it|where the unit) "
               r"(?:says|said|states|shows|proves|claims|mentions) (?:that )?(.+)", _F),
    re.compile(r"\b(?:why|how|when) (?:did|does|do|was|were|is|has|had) (.+)", _F),
    re.compile(r"\b(?:since|given that|now that|because|as) (.+?)(?:,|$)", _F),
    re.compile(r"\b(?:prove|confirm|show me) (?:that )?(.+)", _F),
]


def is_disclosure(text: str) -> bool:
    """A learner saying that a real child (possibly themself) may be at risk now."""
    t = text.replace("\u2019", "'")
    return bool(_HARM.search(t)) and any(p.search(t) for p in _REAL_PERSON)


def is_injection(text: str) -> bool:
    """User text trying to change the tutor's instructions or extract them."""
    return any(p.search(text) for p in _INJECTION)


_QUESTION_VERBS = {stem(w) for w in "happen happened explain describe mean means meaning purpose reason main "
                   "important lesson lessons result results learn learned learnt unit text course".split()}


def false_premise(text: str, vocabulary: set[str]) -> str | None:
    """The claim a question takes for granted when a content word of it appears nowhere in the unit.

    >>> false_premise("Why did the Children Act 2004 abolish serious case reviews?", {stem(w) for w in
    ...     "children act 2004 serious case reviews".split()})
    'the Children Act 2004 abolish serious case reviews'
    """
    for pattern in _PREMISE:
        m = pattern.search(text.strip().rstrip("?.! "))
        if not m:
            continue
        claim = m.group(1).strip(" ,")
        claim_terms = [t for t in terms(claim) if t not in _QUESTION_VERBS]
        missing = [t for t in claim_terms if t not in vocabulary and not t.isdigit()]
        if claim_terms and missing and len(missing) < len(claim_terms):
            return claim
    return None


@dataclass
class Scope:
    in_scope: bool
    reason: str
    top_dense: float
    coverage: float


def term_coverage(question: str, passages: list[str]) -> float:
    """Share of the question's content words (stemmed) that occur in the passages."""
    q = [t for t in dict.fromkeys(terms(question)) if t not in _QUESTION_VERBS]
    if not q:
        return 0.0
    have = {t for p in passages for t in terms(p)}
    return sum(1 for t in q if t in have) / len(q)


def missing_numbers(question: str, passages: list[str]) -> set[str]:
    """Numbers the question names that the passages never mention ("Section 47")."""
    have = set().union(*(numbers(p) for p in passages)) if passages else set()
    return numbers(question) - have


_NEEDS_NUMBER = re.compile(r"\bhow (?:many|much)\b|\b(?:what|which) (?:percentage|number)\b", _F)
_NEEDS_AGE = re.compile(r"\bhow old\b|\bwhat age\b", _F)
_NEEDS_YEAR = re.compile(r"\b(?:what|which) (?:year|date)\b", _F)
_AGE = re.compile(r"\b(?:aged?\s+\d+|\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                  r"fourteen|fifteen|sixteen|seventeen)[- ](?:years?|months?)[- ]old\b|\baged? \d+\b", _F)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def asks_for_number(question: str) -> bool:
    """How many / how much: an answer must state a number the question does not."""
    return bool(_NEEDS_NUMBER.search(question))


def missing_answer_type(question: str, sentences: list[str]) -> str | None:
    """What kind of answer the question needs that none of the sentences gives (an age, a year, a number, a
    duration, a name), or None."""
    asked = numbers(question)
    if _NEEDS_AGE.search(question) and not any(_AGE.search(s) for s in sentences):
        return "an age"
    if _NEEDS_YEAR.search(question) and not any(set(_YEAR.findall(s)) - asked for s in sentences):
        return "a year"
    if asks_for_number(question) and not any(numbers(s) - asked for s in sentences):
        return "a number"
    if asks_for_duration(question) and not any(has_duration(s) for s in sentences):
        return "a time or duration"
    if asks_for_name(question) and not any(new_names(s, question) for s in sentences):
        return "a name"
    return None


_DEFINE = [re.compile(r"^\s*(?:what(?:'s|\s+is|\s+are)|define|explain)\s+(?:(?:a|an|the)\s+)?"
                      r"(?P<term>[A-Za-z][A-Za-z' -]*?)\s*\??\s*$", _F),
           re.compile(r"^\s*what\s+(?:does|do)\s+(?:(?:a|an|the)\s+)?(?P<term>[A-Za-z][A-Za-z' -]*?)\s+"
                      r"(?:mean|stand\s+for)\s*\??\s*$", _F)]


def undefined_term(question: str, vocabulary: set[str], squashed: str, acronyms: dict[str, str] | None = None
                   ) -> str | None:
    """For "What is X?" (also "What does X mean?", "Define X") where X is a plain term of 1-4 words: X, when one
    of its words appears nowhere in the unit: not among its stemmed words (``vocabulary``), not one of its
    acronyms, and not inside its text with spaces and hyphens taken out (``squashed``, so "whistleblowing" is
    found in "whistle blowing"). "What is a child protection conference?" asks about something the unit never
    mentions, however close its other words come."""
    found = next((m for m in (p.match(question) for p in _DEFINE) if m), None)
    if not found:
        return None
    term = found.group("term").strip()
    words_ = term.split()
    if not 1 <= len(words_) <= 4 or "'" in term or any(w.lower() in STOPWORDS for w in words_):
        return None  # a phrase with a possessive or a preposition is a question about something, not a term
    for w in words_:
        if w.upper() in (acronyms or {}) or set(terms(w)) <= vocabulary:
            continue
        if squash(w) in squashed:
            continue
        return term
    return None


_CAPS = re.compile(r"(?:\b[A-Z][\w'-]*(?:\s+|$)){2,}")


def name_phrases(text: str) -> list[frozenset[str]]:
    """Runs of two or more capitalised words, as sets of stems ("Every Child Matters" -> {every, child, matter})."""
    return [frozenset(terms(m.group())) for m in _CAPS.finditer(text.replace("\u2019", "'")) if len(terms(m.group())) >= 2]


def unknown_names(question: str, known_words: set[str], known_phrases: list[frozenset[str]] = ()) -> list[str]:
    """Names the unit never uses: capitalised words after the first ("Munro", "Ofsted", "DBS"), and runs of
    capitalised words that no name in the unit contains ("Working Together"), word order aside."""
    found = []
    tokens = re.findall(r"[A-Za-z\u00C0-\u024F][\w'-]*", question.replace("\u2019", "'"))
    for i, tok in enumerate(tokens):
        word = tok.split("'")[0]
        if i == 0 or not word[0].isupper() or word == "I" or len(word) < 2:
            continue
        if fold(word) not in known_words and zipf(word) < 4.0:  # common words ("MPs", "Yorkshire") are not names
            found.append(word)
    body = question.strip().split(None, 1)[1] if len(question.split()) > 1 else ""
    if not found and known_phrases:
        for phrase, stems in zip(_CAPS.findall(body), name_phrases(body)):
            if not any(stems <= known for known in known_phrases):
                found.append(phrase.strip())
    return found


_WHO = re.compile(r"^\s*(?:who|whom)\b|\b(?:the name of|what was (?:his|her|their) name)\b", _F)


def asks_for_name(question: str) -> bool:
    return bool(_WHO.search(question))


def new_names(sentence: str, question: str) -> set[str]:
    """Capitalised words in a sentence (not its first word) that the question does not contain."""
    q = set(words(question))
    ws = re.findall(r"[A-Za-z][\w'-]*", sentence.replace("\u2019", "'"))[1:]
    return {w for w in ws if w[0].isupper() and w.lower().split("'")[0] not in q and w not in {"I"}}


def asks_for_duration(question: str) -> bool:
    return bool(re.search(r"\bhow long\b|\bhow many (?:years|months|weeks|days)\b", question, _F))


_DURATION = re.compile(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|many|a long|"
                       r"a short) (?:years?|months?|weeks?|days?|time)\b|\b(?:19|20)\d\d\b", _F)


def has_duration(text: str) -> bool:
    return bool(_DURATION.search(text))


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]
