"""FAQPage structured data: built from each page's {#id} questions, checked by `kb check`, and in
the built site as JSON-LD that parses and lists every question of its page."""

from __future__ import annotations

import json
import re

from search.faqpage import faq_jsonld, jsonld_script, questions
from search.page import load_pages
from search.settings import Settings
from tests.helpers import edit
from tests.test_checker import kb_check

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def test_every_faq_page_carries_json_ld_listing_each_of_its_questions(built_project: Settings):
    pages = load_pages(built_project.docs_dir, built_project.mkdocs_yml)
    faq_pages = [p for p in pages if questions(p) and not p.excluded_from_search]
    assert {p.rel for p in faq_pages} >= {
        "cancel.md",
        "refund.md",
        "return.md",
        "customs.md",
        "about.md",
        "contact.md",
    }
    for page in faq_pages:
        html = (built_project.site_dir / page.url.strip("/") / "index.html").read_text("utf-8")
        scripts = LD_JSON.findall(html)
        assert len(scripts) == 1, page.rel
        data = json.loads(scripts[0])
        assert data["@context"] == "https://schema.org" and data["@type"] == "FAQPage"
        # Every h2 {#id} of the page that asks a question, in page order.
        asked = [h for h in page.headings if h.level == 2 and h.title.endswith("？")]
        assert [q["name"] for q in data["mainEntity"]] == [h.title for h in asked], page.rel
        for question, heading in zip(data["mainEntity"], asked, strict=True):
            assert question["url"].endswith(f"{page.url}#{heading.id}")
            assert question["acceptedAnswer"]["@type"] == "Answer"
            assert len(question["acceptedAnswer"]["text"]) > 10


def test_pages_without_questions_carry_none(built_project: Settings):
    for path in ("index.html", "tools/calculator/index.html", "search/index.html", "404.html"):
        html = (built_project.site_dir / path).read_text("utf-8")
        assert "application/ld+json" not in html, path


def test_script_body_cannot_close_its_element_early():
    text = jsonld_script({"@type": "FAQPage", "text": "</script><script>alert(1)</script>"})
    assert "</script" not in text
    assert json.loads(text)["text"] == "</script><script>alert(1)</script>"


def test_json_ld_is_built_from_the_page_sections(project: Settings):
    pages = {p.rel: p for p in load_pages(project.docs_dir, project.mkdocs_yml)}
    data = faq_jsonld(pages["cancel.md"], "https://help.example/")
    first = data["mainEntity"][0]
    assert first["name"] == "怎样在网站上取消订单？"
    assert first["url"] == "https://help.example/cancel/#cancel-online"
    assert "订单详情页" in first["acceptedAnswer"]["text"]
    assert faq_jsonld(pages["index.md"], "https://help.example/") is None


def test_an_empty_answer_fails_kb_check_at_its_question(project: Settings, capsys):
    # An answer of nothing but text hidden from search leaves the FAQPage entry without an answer.
    about = project.docs_dir / "about.md"
    text = about.read_text("utf-8")
    start = text.index("## “我的订单”里找不到订单怎么办？")
    line = text[:start].count("\n") + 1
    about.write_text(
        text[:start] + '## “我的订单”里找不到订单怎么办？ {#order-missing data-category="订单"}\n\n'
        "<p data-search-exclude>内部备注</p>\n",
        "utf-8",
    )
    code, output = kb_check(project, capsys)
    assert code != 0
    assert f"docs/about.md:{line}: error: 结构化数据（FAQPage）不合格：答案是空的" in output


def test_a_question_asked_twice_on_a_page_fails_kb_check(project: Settings, capsys):
    cancel = project.docs_dir / "cancel.md"
    edit(
        cancel,
        "## 取消时要说明原因吗？ {#cancel-reason}",
        "## 取消订单要手续费吗？ {#cancel-reason}",
    )
    text = cancel.read_text("utf-8")
    second = text[: text.index("{#cancel-fee}")].count("\n") + 1  # the later of the two is named
    code, output = kb_check(project, capsys)
    assert code != 0
    assert f"docs/cancel.md:{second}: error: 问题“取消订单要手续费吗？”在本页出现了两次" in output
