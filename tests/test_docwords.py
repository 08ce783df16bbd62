"""The stored-words format: written by the indexer, read by the engine, one owner."""

from __future__ import annotations

from search.analyzer import Word
from search.docwords import DocWords, encode_words


def test_words_round_trip_with_positions_and_parts():
    words = (Word("退货", 0, 2), Word("运费", 2, 4, ("运", "费")), Word("谁出", 4, 6))
    encoded = encode_words(words)
    assert encoded == "退货 运费|运|费 谁出"
    doc = DocWords({"title": encoded}, [], frozenset())
    assert doc.has("费") and doc.has("退货", ("title",)) and not doc.has("退货", ("body",))
    assert doc.near("title", "退货", "运费") and not doc.near("title", "谁出", "退货")


def test_neighbours_measure_a_question_the_query_repeats():
    doc = DocWords({}, ["退货 运费 谁出", "取消 订单"], frozenset())
    echo, nearest = doc.neighbours([(frozenset({"退货"}), 1.0), (frozenset({"运费"}), 1.0)])
    assert 0.5 < echo < 1.0 and 0.5 < nearest < 1.0
    assert doc.neighbours([(frozenset({"天气"}), 1.0)]) == (0.0, 0.0)
