"""Latin-letter words in Chinese pages carry their own language for screen readers."""

from __future__ import annotations

import markdown

from search.language import run_language


def render(text: str) -> str:
    return markdown.markdown(text, extensions=["attr_list", "toc", "search.language"])


def test_english_words_are_marked_english():
    html = render("在 Amazon App 里打开“我的订单”，需要开启 JavaScript。")
    assert '<span lang="en">Amazon App</span>' in html
    assert '<span lang="en">JavaScript</span>' in html
    assert html.startswith("<p>在 <span") and html.endswith("。</p>")


def test_pinyin_stays_in_the_chinese_voice():
    assert run_language("tuihuo yunfei") == "zh-Latn-pinyin"
    assert run_language("Amazon") == "en"
    assert run_language("ID") == "en"
    assert '<span lang="zh-Latn-pinyin">tuihuo</span>' in render("输入 tuihuo 也能搜到退货。")


def test_code_links_and_headings_keep_their_text_and_ids():
    html = render("## 用 App 退货 {#return-app}\n\n见 [Prime 会员](x.md)，`kb check` 不变。")
    assert '<h2 id="return-app">用 <span lang="en">App</span> 退货</h2>' in html
    assert '<a href="x.md"><span lang="en">Prime</span> 会员</a>' in html
    assert "<code>kb check</code>" in html


def test_text_without_latin_letters_is_left_alone():
    source = "没发货就取消，不收费，全额退款。3–10 个工作日。"
    assert render(source) == f"<p>{source}</p>"


def test_entities_and_stashed_html_are_not_words():
    html = markdown.markdown(
        "## 退货 {#return}\n\n<b>注意</b>：&copy; 海外购 &amp; 易客满。",
        extensions=["attr_list", "toc", "search.language"],
        extension_configs={"toc": {"permalink": True}},
    )
    assert "lang=" not in html, html
    assert "&para;</a>" in html and "&copy;" in html and "<b>注意</b>" in html
