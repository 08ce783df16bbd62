"""Ranking: how a candidate answer's matches turn into its score (pure functions, no index)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from whoosh.scoring import BM25F

from .lexicon import general_idf
from .query import Alternative

_HAN = re.compile(r"[\u3400-\u9fff]")

POOL = 20  # candidates re-ranked beyond the requested limit
# A document is an answer only when the query concepts it matches carry this share of the
# query's information (idf-weighted; words the help center never uses count fully against it) …
MIN_COVERAGE = 0.4
# … or, for a long pasted message full of story, at least this much matched information
# (in units of the idf of a word found in a single document).
MIN_EVIDENCE = 1.5
COVERAGE_POWER = 2.0  # coordination: matching more of the query counts more than repeating one word
PHRASE_SLOP = 2  # "neighbouring": the second word at most this many positions after the first
DOC_CACHE = 4096  # documents whose stored fields and words stay parsed
PHRASE_BONUS = {"title": 0.3, "phrasings": 0.3, "body": 0.1}  # neighbouring words found together
INTRO_WEIGHT = 0.6  # a page introduction is a fallback, not an answer
# A section whose question (title or an editor's phrasing) itself says what the shopper asked
# is the answer more surely than one whose long body mentions the same words.
QUESTION_FIELDS = ("title", "phrasings")
QUESTION_BONUS = 2.0
# … and more surely still when the query also says most of what that question says: a
# question about 退货 is not the best answer to one that never mentions 退货.
ECHO_BONUS = 1.0
# A long answer (the calculator's page) must not win by mentioning every word once: full
# length normalisation in the body; questions and phrasings are short and alike.
WEIGHTING = BM25F(B=0.75, K1=1.2, body_B=1.0)
UNKNOWN_DF = 1  # a word the index lacks counts as if in this many documents
KNOWN_FLOOR = 0.6  # the least share of its index idf a very common word keeps


@dataclass
class Candidate:
    """A document the index returned for a query, with what re-ranking learns about it."""

    docnum: int
    score: float
    fields: dict[str, Any]
    matched: dict[str, list[Alternative]] = field(default_factory=dict)
    phrases: float = 0.0
    asked: float = 0.0  # share of the query's information found in the question or phrasings
    echo: float = 0.0  # the largest share of one of its questions' information the query repeats


def credit(matched: Iterable[Alternative]) -> float:
    """Given the forms of a concept a document contains, return how fully it matches (0–1).

    A whole form counts its weight; sub-words add up by the share of the word they cover.
    """
    whole = max((a.weight for a in matched if a.share == 1.0), default=0.0)
    parts = sum(a.weight * a.share for a in matched if a.share < 1.0)
    return min(1.0, max(whole, parts))


def idf(doc_count: int, doc_frequency: int) -> float:
    """Given the number of documents and a term's document frequency, return its BM25 idf."""
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


# General-Chinese IDF (jieba's table) of a word that says little (时候 4.3, 一般 4.3) and of one
# that names a thing (奶粉 9.0, 开店 9.5); words between are scaled linearly.
GENERIC_IDF, SPECIFIC_IDF = 4.0, 9.0
MIN_GENERAL_WEIGHT = 0.1


def general_weight(word: str) -> float:
    """Given a word the index lacks, return 0.1–1: how much it says in general Chinese."""
    table = general_idf()
    value = table.get(word)
    if value is None and word and all(_HAN.match(c) for c in word):
        # A rare cut (单买, 好几样): as informative as its characters are on average.
        chars = [table.get(c, SPECIFIC_IDF) for c in word]
        value = sum(chars) / len(chars)
    if value is None:  # not a word of general Chinese: a name, a brand, a latin word
        value = SPECIFIC_IDF
    scaled = (value - GENERIC_IDF) / (SPECIFIC_IDF - GENERIC_IDF)
    return min(1.0, max(MIN_GENERAL_WEIGHT, scaled))


def final_score(c: Candidate, coverage: float) -> float:
    """Given a candidate with its features and the query share it covers, return its final score."""
    score = (
        c.score
        * coverage**COVERAGE_POWER
        * (1 + c.phrases)
        * (1 + QUESTION_BONUS * c.asked)
        * (1 + ECHO_BONUS * c.echo)
    )
    if c.fields.get("kind") == "intro":
        score *= INTRO_WEIGHT
    return score * c.fields.get("boost", 1.0)
