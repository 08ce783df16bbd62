"""Queries: user text is never query syntax, OR with coordination, out-of-domain, validation."""

from __future__ import annotations

import pytest

from search import BadQuery, UnknownCategory, search
from search.settings import Settings


def ids(settings: Settings, query: str, **kw) -> list[str]:
    return [r["id"] for r in search(settings, query, **kw)["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "title:*",
        "AND",
        "(",
        ")",
        "~",
        '"',
        '"退货',
        "退货~2",
        "*",
        "title:退货 OR body:*",
        "NOT 退货",
        "[a TO z]",
        "^2",
        "\\",
    ],
)
def test_query_syntax_characters_are_just_text(indexed_project: Settings, query: str):
    data = search(indexed_project, query)  # never a parse error, never "match everything"
    assert data["query"] == query
    assert len(data["results"]) < 25


def test_syntax_around_real_words_still_finds_them(indexed_project: Settings):
    assert ids(indexed_project, "退货 AND 运费")[0] == "return-shipping-fee"
    assert ids(indexed_project, '"退货运费" (谁出)~ *')[0] == "return-shipping-fee"


def test_every_word_counts_but_none_is_required(indexed_project: Settings):
    # 7 words, several not in the help center: ANDing them would find nothing.
    assert ids(indexed_project, "没发货取消订单要费用吗")[0] == "cancel-fee"


@pytest.mark.parametrize(
    "query", ["今天天气怎么样", "ebay个人卖家怎么开店", "shopee店铺怎么改密码", "怎么做红烧肉"]
)
def test_out_of_domain_query_returns_no_results(indexed_project: Settings, query: str):
    data = search(indexed_project, query)
    assert data["results"] == [] and data["total"] == 0


def test_long_pasted_customer_message_finds_the_answer(indexed_project: Settings):
    message = (
        "客服您好！我上个月在亚马逊海外购给我爸买了一块手表，收到以后发现表带的颜色和图片不一样，"
        "不是质量问题，就是不喜欢。我想把它退回去，想问一下这种情况退货的国际运费要我自己承担吗？"
        "是上门取件的时候付钱，还是从退款里面扣？另外大概多久能把钱退给我？麻烦尽快回复，谢谢！"
    )
    assert "return-shipping-fee" in ids(indexed_project, message, limit=3)


def test_message_of_exactly_1000_characters_is_accepted(indexed_project: Settings):
    message = ("我想问一下退货运费谁出，" * 100)[:1000]
    assert ids(indexed_project, message)[0] == "return-shipping-fee"


def test_category_filter_keeps_only_that_category(indexed_project: Settings):
    results = search(indexed_project, "退款", category="退款")["results"]
    assert results and {r["category"] for r in results} == {"退款"}


def test_result_shape_is_the_api_contract(indexed_project: Settings):
    data = search(indexed_project, "退货运费谁出", limit=2)
    assert set(data) == {"query", "total", "took_ms", "results"}
    assert len(data["results"]) <= 2 <= data["total"]
    first = data["results"][0]
    assert set(first) == {"id", "title", "url", "category", "snippet", "score", "answer"}
    assert first["url"] == "/return/#return-shipping-fee"
    assert "<" not in first["answer"] and "国际退货费用" in first["answer"]


@pytest.mark.parametrize(
    ("query", "kw", "error"),
    [
        ("", {}, BadQuery),
        ("   \n", {}, BadQuery),
        ("退" * 1001, {}, BadQuery),
        ("退货\x00运费", {}, BadQuery),
        ("退货\x1b[2J", {}, BadQuery),
        ("退货", {"limit": 0}, BadQuery),
        ("退货", {"limit": 51}, BadQuery),
        ("退货", {"limit": True}, BadQuery),
        ("退货", {"category": "天气"}, UnknownCategory),
    ],
)
def test_invalid_requests_raise_named_errors_with_a_chinese_hint(
    indexed_project: Settings, query: str, kw: dict, error: type
):
    with pytest.raises(error) as caught:
        search(indexed_project, query, **kw)
    assert caught.value.hint and caught.value.http_status == 400
    assert any("\u4e00" <= c <= "\u9fff" for c in str(caught.value))


def test_search_without_an_index_raises_index_missing(project: Settings):
    from search import IndexMissing

    with pytest.raises(IndexMissing):
        search(project, "退货")
