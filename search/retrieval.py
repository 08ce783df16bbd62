"""First-stage retrieval: each concept's best form per document, scored from cached postings.

Whoosh's own BM25F scorer scores every posting of a (field, term) once per index generation;
a query then adds up, per document, each concept's best alternative on that same document (a
word and its synonym are one meaning, not two matches). This replaces a Whoosh matcher tree,
whose building cost most of a query, and whose DisjunctionMax credits one document with
another document's score.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict

from whoosh import query as wq
from whoosh.searching import Searcher

from .memo import BoundedDict
from .query import Concept
from .schema import TEXT_FIELDS

TEXT_FIELDS_ALL = tuple(TEXT_FIELDS)
SUBWORD_FIELDS = ("title", "phrasings")  # a sub-word is looked up in the short question fields only
TIEBREAK = 0.1  # how much a concept's other forms on the same document add to its best one
MAX_TERMS = 20_000  # (field, term) score tables kept per generation
MAX_TERM_CHARS = 64  # longer "words" are looked up but never cached


class Postings:
    """One index generation's BM25F scores by (field, term) and document, read on first use."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._scores: OrderedDict[tuple[str, str], dict[int, float]] = OrderedDict()
        self._categories: dict[str, frozenset[int]] = {}
        self._combined: BoundedDict = BoundedDict(MAX_TERMS)

    def scores(self, field: str, term: str) -> dict[int, float]:
        """Given a field and an index word, return its BM25F score in each document that has it."""
        key = (field, term)
        found = self._scores.get(key)
        if found is not None:
            self._scores.move_to_end(key)
            return found
        found = {}
        if key in self.searcher.reader():
            matcher = self.searcher.postings(field, term)
            while matcher.is_active():
                found[matcher.id()] = matcher.score()
                matcher.next()
        if len(term) <= MAX_TERM_CHARS:
            self._scores[key] = found
            while len(self._scores) > MAX_TERMS:
                self._scores.popitem(last=False)
        return found

    def in_category(self, category: str) -> frozenset[int]:
        """Given a category, return the numbers of its documents."""
        if category not in self._categories:
            docs = self.searcher.docs_for_query(wq.Term("category", category))
            self._categories[category] = frozenset(docs)
        return self._categories[category]

    def combined(self, term: str, fields: tuple[str, ...]) -> dict[int, float]:
        """Given a word and fields, return each document's field-boosted BM25F sum for it."""
        key = (fields, term)
        found = self._combined.get(key)
        if found is not None:
            return found
        found = {}
        for f in fields:
            boost = TEXT_FIELDS[f]
            for doc, score in self.scores(f, term).items():
                found[doc] = found.get(doc, 0.0) + boost * score
        if len(term) <= MAX_TERM_CHARS:
            self._combined[key] = found
        return found

    def retrieve(
        self, concepts: list[Concept], limit: int, category: str | None = None
    ) -> list[tuple[int, float]]:
        """Given known concepts, return the best (document, score) pairs, at most `limit`."""
        total: dict[int, float] = {}
        for concept in concepts:
            best: dict[int, float] = {}
            every: dict[int, float] = {}
            for alt in concept.alternatives:
                fields = TEXT_FIELDS_ALL if alt.share == 1.0 else SUBWORD_FIELDS
                weight = alt.weight
                for doc, score in self.combined(alt.term, fields).items():
                    score *= weight
                    if score > best.get(doc, 0.0):
                        best[doc] = score
                    every[doc] = every.get(doc, 0.0) + score
            for doc, score in best.items():
                # A concept's best form counts; its other forms on the same document add a little.
                total[doc] = total.get(doc, 0.0) + score + TIEBREAK * (every[doc] - score)
        if category:
            allowed = self.in_category(category)
            total = {d: v for d, v in total.items() if d in allowed}
        top = heapq.nlargest(limit, total, key=total.__getitem__)
        return sorted(((d, total[d]) for d in top), key=lambda item: (-item[1], item[0]))
