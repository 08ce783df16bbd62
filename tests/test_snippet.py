"""Snippets: the best passage of the answer, HTML-escaped, whole matched words in <mark>."""

from __future__ import annotations

from search import build_index, search
from search.lexicon import load_lexicon
from search.settings import DATA_DIR, Settings
from search.snippet import make_snippet


def test_marks_whole_words_never_half_of_one():
    lexicon = load_lexicon(DATA_DIR)
    snippet = make_snippet("请在邮件里写清楚订单号和订单详情。", {"订单"}, lexicon)
    assert "<mark>订单号</mark>" in snippet and "<mark>订单</mark>详情" in snippet
    assert "<mark>订单</mark>号" not in snippet and "订<mark>" not in snippet


def test_snippet_is_the_matching_sentence():
    lexicon = load_lexicon(DATA_DIR)
    text = "第一句说别的事情。\n上门取件时不用付运费。\n最后一句也无关。"
    assert make_snippet(text, {"运费"}, lexicon) == "上门取件时不用付<mark>运费</mark>。"


def test_answer_without_a_match_starts_the_snippet():
    lexicon = load_lexicon(DATA_DIR)
    assert make_snippet("a < b 的说明。\n第二行", set(), lexicon) == "a &lt; b 的说明。"


def test_html_planted_in_a_page_is_escaped(indexed_copy: Settings):
    page = indexed_copy.docs_dir / "planted.md"
    page.write_text(
        "---\ntitle: 测试\ncategory: 订单\n---\n\n## 退货包裹的备注怎么写？ {#planted}\n\n"
        "退货包裹的备注可以写 `<img src=x onerror=alert(1)>`，也可以写 &lt;b&gt;加粗&lt;/b&gt; 或 `<script>alert(2)</script>`。\n",
        encoding="utf-8",
    )
    build_index(indexed_copy)
    result = next(
        r for r in search(indexed_copy, "退货包裹的备注")["results"] if r["id"] == "planted"
    )
    snippet = result["snippet"]
    assert "<mark>" in snippet
    without_marks = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks and ">" not in without_marks
    assert "&lt;img src=x onerror=alert(1)&gt;" in snippet or "&lt;script&gt;" in snippet
    assert "<img" in result["answer"]  # the plain-text answer keeps the text as written


def test_the_answering_paragraph_is_shown_whole_with_its_condition(indexed_project: Settings):
    result = search(indexed_project, "退货运费谁出")["results"][0]
    assert result["id"] == "return-shipping-fee"
    plain = result["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert "质量" in plain and "国际退货费用" in plain  # the condition stays with the answer


def test_single_characters_are_never_marked_on_their_own():
    lexicon = load_lexicon(DATA_DIR)
    snippet = make_snippet("上门取件时不用付运费，不出钱。", {"不", "出", "运费"}, lexicon)
    assert "<mark>不</mark>" not in snippet and "<mark>出</mark>" not in snippet
    assert "<mark>运费</mark>" in snippet
