"""Suggestions while typing: Chinese prefixes, full pinyin and pinyin initials."""

from __future__ import annotations

import pytest

from search import BadQuery, suggest
from search.settings import Settings


def suggested(settings: Settings, prefix: str) -> list[str]:
    return [s["id"] for s in suggest(settings, prefix)["suggestions"]]


def test_chinese_prefix_completes_questions(indexed_project: Settings):
    assert suggested(indexed_project, "退货运")[0] == "return-shipping-fee"


def test_pinyin_initials_complete_questions(indexed_project: Settings):
    assert suggested(indexed_project, "thyf")[0] == "return-shipping-fee"


def test_full_pinyin_completes_questions(indexed_project: Settings):
    found = suggested(indexed_project, "tuihuo")
    assert found and all(i.startswith("return-") or i == "return-refund-time" for i in found[:3])


def test_suggestion_shape_and_limit(indexed_project: Settings):
    data = suggest(indexed_project, "退", limit=3)
    assert data["query"] == "退" and len(data["suggestions"]) <= 3
    assert set(data["suggestions"][0]) == {"id", "title", "url"}


def test_blank_prefix_suggests_nothing_and_bad_input_is_rejected(indexed_project: Settings):
    assert suggest(indexed_project, " ")["suggestions"] == []
    with pytest.raises(BadQuery):
        suggest(indexed_project, "退" * 1001)
    with pytest.raises(BadQuery):
        suggest(indexed_project, "退货", limit=0)
