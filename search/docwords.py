"""A document's stored words: one owner for the format the indexer writes and the engine reads.

Each text field is stored as its words by position, space-separated, each position as
`word|part|part` (a jieba word and its in-dictionary sub-words), so coverage and proximity are
checked without re-tokenising.
"""

from __future__ import annotations

from .analyzer import Word
from .ranking import KNOWN_FLOOR, PHRASE_SLOP, general_weight


def encode_words(words: tuple[Word, ...]) -> str:
    """Given a text's words, return them one position per space-separated item: word|part|part."""
    return " ".join("|".join((w.text, *w.parts)) for w in words if " " not in w.text)


class DocWords:
    """A document's words by field and position (from its stored `words`), for coverage and proximity."""

    def __init__(
        self, encoded: dict[str, str], questions: list[str], particles: frozenset[str]
    ) -> None:
        # Each question as (forms of each word, weight). Within one question every word says part
        # of what it asks (an index-wide idf would call its topic word, 退货, common); only
        # general-Chinese informativeness counts.
        self.questions: list[list[tuple[frozenset[str], float]]] = []
        for q in questions:
            items = [item.split("|") for item in q.split(" ") if item]
            self.questions.append(
                [
                    (frozenset(forms), KNOWN_FLOOR + (1 - KNOWN_FLOOR) * general_weight(forms[0]))
                    for forms in items
                    if forms[0] not in particles
                ]
            )
        # Each question's weight, and where each word stands: word → [(question, item)].
        self._totals = [sum(w for _, w in q) or 1.0 for q in self.questions]
        self._where: dict[str, list[tuple[int, int]]] = {}
        for q, question in enumerate(self.questions):
            for i, (forms, _) in enumerate(question):
                for form in forms:
                    self._where.setdefault(form, []).append((q, i))
        self.positions: dict[str, dict[str, list[int]]] = {}
        for f, text in encoded.items():
            table: dict[str, list[int]] = {}
            for pos, item in enumerate(text.split(" ") if text else ()):
                for word in item.split("|"):
                    table.setdefault(word, []).append(pos)
            self.positions[f] = table
        self._every = frozenset().union(*self.positions.values())
        self._within: dict[tuple[str, ...], frozenset[str]] = {}

    def neighbours(self, concepts: list[tuple[frozenset[str], float]]) -> tuple[float, float]:
        """Given the query's concepts (their index forms, their weights), return (echo, nearest).

        echo: the largest share of one question's words the query has. nearest: the best F1 of
        one question: how much of the query it says, and how much of it the query says.
        """
        total = sum(w for _, w in concepts) or 1.0
        said: dict[int, float] = {}
        items: dict[int, set[int]] = {}
        for forms, weight in concepts:
            hit: set[int] = set()
            for term in forms:
                for q, item in self._where.get(term, ()):
                    hit.add(q)
                    items.setdefault(q, set()).add(item)
            for q in hit:
                said[q] = said.get(q, 0.0) + weight
        echo = nearest = 0.0
        for q, found in items.items():
            echoed = sum(self.questions[q][i][1] for i in found) / self._totals[q]
            share = said[q] / total
            echo = max(echo, echoed)
            nearest = max(nearest, 2 * share * echoed / (share + echoed))
        return echo, nearest

    def has(self, term: str, fields: tuple[str, ...] | None = None) -> bool:
        """Given a word, return whether the document has it (in any field, or in `fields`)."""
        if fields is None:
            return term in self._every
        found = self._within.get(fields)
        if found is None:  # a set per group of fields asked about, made on first use
            found = self._within[fields] = frozenset().union(
                *(self.positions.get(f, {}) for f in fields)
            )
        return term in found

    def near(self, field: str, first: str, second: str) -> bool:
        """Given two words, return whether `second` follows `first` within PHRASE_SLOP positions."""
        table = self.positions.get(field, {})
        after = table.get(second)
        if not after:
            return False
        return any(0 < q - p <= PHRASE_SLOP for p in table.get(first, ()) for q in after)
