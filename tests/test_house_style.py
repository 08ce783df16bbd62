"""`kb check` warns about words outside the house style (search/data/style.yml) and link texts
that are not the heading they link to; it never fails on them, and the real pages have none."""

from __future__ import annotations

from search.checker import find_problems
from search.house_style import style_problems
from search.page import load_pages
from search.settings import Settings, load_settings
from tests.helpers import ROOT, edit
from tests.test_checker import kb_check


def warnings(settings: Settings) -> list[str]:
    return [str(p) for p in find_problems(settings) if p.severity == "warning"]


def test_the_real_pages_are_in_house_style():
    real = load_settings(ROOT)
    assert style_problems(real, load_pages(real.docs_dir, real.mkdocs_yml)) == []


def test_a_discouraged_word_is_a_warning_with_file_line_and_the_replacement(
    project: Settings, capsys
):
    line = edit(
        project.docs_dir / "return.md", "请你自己把退货商品", "请你在上门取货前自己把退货商品"
    )
    code, output = kb_check(project, capsys)
    assert code == 0, output  # a warning, not an error
    assert (
        f"docs/return.md:{line}: warning: “上门取货”不是本站的用词（修改方法：改成“上门取件”）"
        in output
    )
    # The longer variant is reported once, not again as 取货.
    assert "“取货”" not in output


def test_every_variant_of_a_term_is_named(project: Settings):
    line = edit(project.docs_dir / "customs.md", "要经过中国海关清关", "要进境，经过中国海关通关")
    found = [w for w in warnings(project) if w.startswith(f"docs/customs.md:{line}:")]
    assert len(found) == 2
    assert any("“进境”" in w for w in found) and any("“通关”" in w for w in found)
    assert all("改成“清关”" in w for w in found)


def test_a_meta_sentence_gets_the_hint_to_answer_plainly(project: Settings):
    line = edit(
        project.docs_dir / "cancel.md",
        "要看亚马逊海外购当时的实际规则",
        "本帮助中心不提供具体金额，要看亚马逊海外购当时的实际规则",
    )
    found = [w for w in warnings(project) if w.startswith(f"docs/cancel.md:{line}:")]
    assert found and "直接回答" in found[0]


def test_shoppers_words_in_phrasings_links_and_code_are_not_checked(project: Settings):
    edit(
        project.docs_dir / "customs.md",
        "    - 送给朋友的订单怎么过海关",
        "    - 送给朋友的订单怎么通关",
    )
    edit(
        project.docs_dir / "return.md",
        "包好以后等配送员",
        "`上门取货` 的写法不用管。包好以后等配送员",
    )
    assert warnings(project) == []


def test_a_link_text_unlike_its_heading_is_a_warning(project: Settings):
    line = edit(
        project.docs_dir / "refund.md",
        "取消是否收费见[取消订单要手续费吗](cancel.md#cancel-fee)",
        "取消是否收费见[取消收不收钱](cancel.md#cancel-fee)",
    )
    assert warnings(project) == [
        f"docs/refund.md:{line}: warning: 链接文字“取消收不收钱”和它指向的标题“取消订单要手续费吗？”不一样"
        "（修改方法：把链接文字改成“取消订单要手续费吗？”，顾客点过去看到的就是同一句话）"
    ]


def test_task_cards_and_question_marks_are_allowed(project: Settings):
    # The home page's cards name tasks (我要退货 → #return-apply); a link may drop the question mark.
    edit(
        project.docs_dir / "refund.md",
        "[取消订单要手续费吗](cancel.md#cancel-fee)",
        "[取消订单要手续费吗？](cancel.md#cancel-fee)",
    )
    assert warnings(project) == []


def test_a_broken_style_file_is_an_error_naming_its_line(project: Settings, capsys):
    style = project.data_dir / "style.yml"
    line = edit(
        style, "  - prefer: 配送员\n    avoid: [快递员]", "  - prefer: 配送员\n    avoid: 快递员"
    )
    code, output = kb_check(project, capsys)
    assert code != 0
    assert f"search/data/style.yml:{line}: error: 用词规范的这一条不完整" in output


def test_a_repeated_key_in_the_style_file_is_an_error_at_its_line(project: Settings, capsys):
    style = project.data_dir / "style.yml"
    text = style.read_text("utf-8")
    style.write_text(text + "terms: []\n", "utf-8")  # PyYAML alone keeps the last one: no terms
    code, output = kb_check(project, capsys)
    assert code != 0
    line = text.count("\n") + 1
    assert f"search/data/style.yml:{line}: error: 键 terms 重复" in output
