"""`kb new` scaffolds a page editors can fill in; `kb check` blocks it until the placeholders are gone."""

from __future__ import annotations

import pytest

from search.checker import find_problems
from search.cli import main
from search.page import load_page
from search.scaffold import PLACEHOLDER
from search.settings import Settings
from search.site import build_site

NEW = [
    "new",
    "gift-orders",
    "--title",
    "礼品订单",
    "--category",
    "订单",
    "--id",
    "gift-order-address",
    "--question",
    "可以把商品直接寄给朋友吗？",
]


def test_new_page_has_valid_front_matter_and_is_blocked_only_by_its_placeholders(
    project: Settings, capsys
):
    assert main(["--root", str(project.root), *NEW]) == 0
    page = project.docs_dir / "gift-orders.md"
    text = page.read_text("utf-8")
    assert "## 可以把商品直接寄给朋友吗？ {#gift-order-address}" in text
    assert "  - 礼品订单: gift-orders.md\n" in project.mkdocs_yml.read_text("utf-8")
    problems = [p for p in find_problems(project) if p.severity == "error"]
    assert problems and all(
        p.path == "docs/gift-orders.md" and "待填写" in p.message for p in problems
    )
    lines = text.splitlines()
    assert all(PLACEHOLDER in lines[p.line - 1] for p in problems)


def test_filled_in_new_page_passes_check_and_is_built_into_the_nav(project: Settings):
    assert main(["--root", str(project.root), *NEW]) == 0
    page = project.docs_dir / "gift-orders.md"
    text = page.read_text("utf-8")
    text = text.replace(
        f"description: {PLACEHOLDER}用一句话说明这一页回答哪些问题。",
        "description: 礼品订单的常见问题。",
    )
    text = text.replace(
        f"    - {PLACEHOLDER}顾客可能怎样问这个问题", "    - 送朋友的东西能直接寄过去吗"
    )
    text = (
        text.split(f"{PLACEHOLDER}一两句话介绍本页。")[0]
        + "礼品订单的常见问题。\n\n## 可以把商品直接寄给朋友吗？ {#gift-order-address}\n\n可以，请按清关要求填写收货人信息。\n"
    )
    page.write_text(text, "utf-8")
    assert [p for p in find_problems(project) if p.severity == "error"] == []
    build_site(project)
    html = (project.site_dir / "index.html").read_text("utf-8")
    assert "gift-orders/" in html and "礼品订单" in html


@pytest.mark.parametrize(
    ("path", "category", "faq_id", "question", "message"),
    [
        ("cancel", "订单", "x-y", "q", "已经存在"),
        ("other", "订单", "cancel-fee", "q", "已经被使用"),
        ("other", "杂项", "x-y", "q", "未知的分类"),
        ("Other Page", "订单", "x-y", "q", "页面路径"),
        ("other", "订单", "X_Y", "q", "FAQ id"),
        ("other", "订单", "x-y", "两行\n问题", "只能写一行"),
        ("other", "订单", "x-y", "问题 {#z}", "花括号"),
    ],
)
def test_new_refuses_bad_or_taken_names_with_a_hint(
    project: Settings, capsys, path, category, faq_id, question, message
):
    args = ["new", path, "--title", "x", "--category", category, "--id", faq_id]
    before = {p: p.read_bytes() for p in (project.mkdocs_yml, project.catalogue_file)}
    assert main(["--root", str(project.root), *args, "--question", question]) != 0
    err = capsys.readouterr().err
    assert message in err and "提示" in err
    assert {p: p.read_bytes() for p in before} == before, "nothing is half-written"


@pytest.mark.parametrize(
    "title",
    [
        "退货: 运费",
        "#1 热门问题",
        "'单引号' 和 \"双引号\"",
        "- 像列表",
        "a: b # 像注释",
        "yes",
        "2026-01-01",
        "[方括号]",
    ],
)
def test_any_title_makes_valid_yaml_that_reads_back(project: Settings, title: str):
    from mkdocs.config import load_config

    args = ["new", "gift-orders", "--title", title, "--category", "订单", "--id", "gift-x"]
    assert main(["--root", str(project.root), *args, "--question", "能直接寄给朋友吗？"]) == 0
    page = load_page(project.docs_dir / "gift-orders.md", project.docs_dir, project.mkdocs_yml)
    assert page.meta_problems == [] and page.meta["title"] == title
    config = load_config(str(project.mkdocs_yml))
    assert {title: "gift-orders.md"} in config["nav"]
    errors = [p for p in find_problems(project) if p.severity == "error"]
    assert errors and all("待填写" in p.message for p in errors), errors
