"""Ranking: how a candidate answer's matches turn into its score (pure functions, no index)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh.scoring import BM25F

from .analyzer import HAN
from .errors import KbError
from .lexicon import general_idf
from .query import Alternative

POOL = 20  # candidates re-ranked beyond the requested limit
PHRASE_SLOP = 2  # "neighbouring": the second word at most this many positions after the first
DOC_CACHE = 4096  # documents whose stored fields and words stay parsed
PHRASE_BONUS = {"title": 0.3, "phrasings": 0.3, "body": 0.1}  # neighbouring words found together
# A section whose question (title or an editor's phrasing) itself says what the shopper asked
# is the answer more surely than one whose long body mentions the same words.
QUESTION_FIELDS = ("title", "phrasings")
# A long answer (the calculator's page) must not win by mentioning every word once: full
# length normalisation in the body; questions and phrasings are short and alike.
WEIGHTING = BM25F(B=0.75, K1=1.2, body_B=1.0)
UNKNOWN_DF = 1  # a word the index lacks counts as if in this many documents
KNOWN_FLOOR = 0.6  # the least share of its index idf a very common word keeps
RELATED_SPECIFIC = 0.45  # general informativeness a matched word needs for related questions
MODEL_FILE = Path(__file__).parent / "data" / "ranking.json"

# What the ranking knows of a candidate (each explainable on its own; see Candidate).
FEATURES = ("bm25", "coverage", "asked", "echo", "nearest", "phrases", "intro", "boost")
# What decides whether the best candidate is an answer at all (else: out of domain / related).
CONFIDENCE = ("bias", "coverage", "evidence", "asked", "echo", "nearest", "unknown", "score")
FULL_MATCH = 0.8  # the least evidence (rare words) with which holding every query word is an answer
MAX_EVIDENCE = 3.0  # matched information beyond this many rare words adds no confidence


@dataclass(frozen=True)
class Model:
    """Fitted weights: a linear score over FEATURES, and a linear confidence over CONFIDENCE."""

    weights: dict[str, float]
    confidence: dict[str, float]
    related_floor: float  # the least coverage for which "you may mean…" questions are offered

    def score(self, features: dict[str, float]) -> float:
        """Given a candidate's features, return its ranking score."""
        return sum(self.weights.get(k, 0.0) * v for k, v in features.items())

    def confident(self, signals: dict[str, float]) -> bool:
        """Given a candidate's confidence signals, return whether it answers the query.

        A document that holds every informative word of the query, rare ones among them, answers
        it whatever the fitted rule says (a shopper who types one word of an answer, 胶带).
        """
        if signals.get("coverage", 0.0) >= 1 - 1e-9 and signals.get("evidence", 0.0) >= FULL_MATCH:
            return True
        return sum(self.confidence.get(k, 0.0) * v for k, v in signals.items()) > 0


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_FILE) -> Model:
    """Given ranking.json (written by scripts/fit_ranking.py), return the fitted Model."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Model(
            {k: float(data["weights"][k]) for k in FEATURES},
            {k: float(data["confidence"][k]) for k in CONFIDENCE},
            float(data["related_floor"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise KbError(
            f"读不了排序权重 {path}：{e}",
            "运行 python scripts/fit_ranking.py 重新生成 ranking.json",
        ) from e


@dataclass
class Candidate:
    """A document the index returned for a query, with what re-ranking learns about it."""

    docnum: int
    score: float
    fields: dict[str, Any]
    matched: dict[str, list[Alternative]] = field(default_factory=dict)
    phrases: float = 0.0  # neighbouring query words found together (PHRASE_BONUS, averaged)
    asked: float = 0.0  # share of the query's information found in the question or phrasings
    echo: float = 0.0  # the largest share of one of its questions' information the query repeats
    coverage: float = 0.0  # share of the query's information the document has anywhere
    rank: float = 0.0  # the fitted model's score
    evidence: float = 0.0  # matched information, in units of a word found in one document only
    nearest: float = 0.0  # F1 of the query and its closest question or phrasing (a neighbour)
    features: dict[str, float] = field(default_factory=dict)

    def describe(self) -> dict[str, float]:
        """Return the candidate's ranking features (see FEATURES)."""
        return {
            "bm25": math.log1p(self.score),
            "coverage": self.coverage,
            "asked": self.asked,
            "echo": self.echo,
            "nearest": self.nearest,
            "phrases": self.phrases,
            "intro": 1.0 if self.fields.get("kind") == "intro" else 0.0,
            "boost": math.log(self.fields.get("boost", 1.0) or 1.0),
        }

    def signals(self, unknown: float, score: float) -> dict[str, float]:
        """Given the query's unknown share and the candidate's score, return its confidence signals."""
        return {
            "bias": 1.0,
            "coverage": self.coverage,
            "evidence": min(MAX_EVIDENCE, self.evidence),
            "asked": self.asked,
            "echo": self.echo,
            "nearest": self.nearest,
            "unknown": unknown,
            "score": score,
        }


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
    if value is None and word and all(HAN.match(c) for c in word):
        # A rare cut (单买, 好几样): as informative as its characters are on average.
        chars = [table.get(c, SPECIFIC_IDF) for c in word]
        value = sum(chars) / len(chars)
    if value is None:  # not a word of general Chinese: a name, a brand, a latin word
        value = SPECIFIC_IDF
    scaled = (value - GENERIC_IDF) / (SPECIFIC_IDF - GENERIC_IDF)
    return min(1.0, max(MIN_GENERAL_WEIGHT, scaled))
