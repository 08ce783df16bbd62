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

from .query import Concept
from .schema import TEXT_FIELDS

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

    def retrieve(
        self, concepts: list[Concept], limit: int, category: str | None = None
    ) -> list[tuple[int, float]]:
        """Given known concepts, return the best (document, score) pairs, at most `limit`."""
        allowed = self.in_category(category) if category else None
        total: dict[int, float] = {}
        for concept in concepts:
            forms: dict[int, list[float]] = {}
            for alt in concept.alternatives:
                fields = TEXT_FIELDS if alt.share == 1.0 else SUBWORD_FIELDS
                per_doc: dict[int, float] = {}
                for f in fields:
                    boost = alt.weight * TEXT_FIELDS[f]
                    for doc, score in self.scores(f, alt.term).items():
                        per_doc[doc] = per_doc.get(doc, 0.0) + boost * score
                for doc, score in per_doc.items():
                    forms.setdefault(doc, []).append(score)
            for doc, scores in forms.items():
                if allowed is not None and doc not in allowed:
                    continue
                best = max(scores)
                total[doc] = total.get(doc, 0.0) + best + TIEBREAK * (sum(scores) - best)
        return heapq.nlargest(limit, total.items(), key=lambda item: (item[1], -item[0]))
