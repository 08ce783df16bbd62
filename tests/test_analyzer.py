"""Analysis: normalisation, jieba words with token positions, pinyin and typos, particles, no stemming."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from search import search
from search.analyzer import WordTokenizer, normalize, segment
from search.lexicon import load_lexicon
from search.settings import DATA_DIR, Settings


def top_ids(settings: Settings, query: str, n: int = 1) -> list[str]:
    return [r["id"] for r in search(settings, query, limit=10)["results"]][:n]


def test_normalize_simplifies_folds_width_and_case():
    assert normalize("退貨運費 ＡＢＣ１２ Refund") == "退货运费 abc12 refund"


def test_traditional_query_finds_the_simplified_page(indexed_project: Settings):
    assert top_ids(indexed_project, "取消訂單要手續費嗎") == ["cancel-fee"]
    assert top_ids(indexed_project, "退貨運費誰出") == ["return-shipping-fee"]


def test_pinyin_query_finds_its_entry(indexed_project: Settings):
    assert top_ids(indexed_project, "tuihuo yunfei") == ["return-shipping-fee"]
    assert "customs-id" in top_ids(indexed_project, "qingguan shenfenzheng", 3)
    # Letters run together are split into index words by their pinyin.
    assert top_ids(indexed_project, "tuihuoyunfei") == ["return-shipping-fee"]


def test_homophone_typo_query_finds_its_entry(indexed_project: Settings):
    assert top_ids(indexed_project, "身分证照片") == ["customs-id-photo"]  # 分 for 份
    assert "customs-id" in top_ids(indexed_project, "清观要身份证吗", 3)  # 观 for 关
    assert top_ids(indexed_project, "退货运废谁出") == ["return-shipping-fee"]  # 废 for 费


def test_query_of_particles_only_returns_nothing_not_everything(indexed_project: Settings):
    for query in ("请问吗呢", "怎么办啊", "您好，请问一下"):
        data = search(indexed_project, query)
        assert data["results"] == [] and data["total"] == 0


def test_particles_weigh_nothing_in_a_real_question(indexed_project: Settings):
    plain = top_ids(indexed_project, "退货运费谁出", 3)
    assert top_ids(indexed_project, "请问一下退货运费谁出呢？谢谢", 3) == plain


def test_english_word_is_kept_whole_not_stemmed():
    lexicon = load_lexicon(DATA_DIR)
    words = [w.text for w in segment("Refund within 15 days, 24小时内", lexicon)]
    assert words == ["refund", "within", "15", "days", "24", "小时", "内"]
    assert "dai" not in words  # what a Porter stemmer makes of "days"


def test_english_word_in_a_page_is_found_by_that_word(indexed_copy: Settings):
    from search import build_index

    page = indexed_copy.docs_dir / "prime.md"
    page.write_text(
        "---\ntitle: Prime\ncategory: 订单\n---\n\n## Prime Day 的订单 {#prime-day}\n\n"
        "Prime Day 期间的订单也按同样的规则处理。\n",
        encoding="utf-8",
    )
    build_index(indexed_copy)
    assert top_ids(indexed_copy, "prime day") == ["prime-day"]
    assert top_ids(indexed_copy, "PRIME days") == [
        "prime-day"
    ]  # 'days' ≠ 'day', but 'prime' still finds it


def test_numbers_are_kept_as_words():
    lexicon = load_lexicon(DATA_DIR)
    assert [w.text for w in segment("15个工作日", lexicon)][:1] == ["15"]


def test_positions_are_token_positions_and_subwords_share_them():
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in WordTokenizer(str(DATA_DIR))("订单号退货运费", positions=True, chars=True)
    ]
    assert ("订单号", 0, 0, 3) in tokens and ("订单", 0, 0, 3) in tokens
    assert ("退货运费", 1, 3, 7) in tokens and ("运费", 1, 3, 7) in tokens


def test_phrase_query_matches_consecutive_words():
    schema = Schema(body=TEXT(analyzer=WordTokenizer(str(DATA_DIR))))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(body="请先取消订单再申请退款")
        w.add_document(body="订单已经发货，不能取消")
    with ix.searcher() as s:
        assert len(s.search(wq.Phrase("body", ["取消订单", "再"]))) == 1
        assert (
            len(s.search(wq.Phrase("body", ["订单", "再"]))) == 1
        )  # a sub-word keeps its word's position
        assert len(s.search(wq.Phrase("body", ["取消", "订单"]))) == 0  # 不能取消 comes after 订单


@pytest.mark.parametrize("text", ["", "   ", "？！。", "\n"])
def test_text_without_words_has_no_tokens(text: str):
    assert list(WordTokenizer(str(DATA_DIR))(text)) == []


def test_data_dir_is_the_package_data():
    assert (Path(DATA_DIR) / "synonyms.txt").is_file() and (
        Path(DATA_DIR) / "particles.txt"
    ).is_file()
