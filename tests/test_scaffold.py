"""`kb new` scaffolds a page editors can fill in; `kb check` blocks it until the placeholders are gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.catalogue import load_catalogue
from search.checker import find_problems
from search.cli import main
from search.page import load_page
from search.scaffold import PLACEHOLDER
from search.settings import Settings
from search.site import build_site
from tests.helpers import edit

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
    fill_in(project.docs_dir / "gift-orders.md", "gift-order-address")
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


def fill_in(page: Path, faq_id: str) -> None:
    """Replace every placeholder of a `kb new` page with real text."""
    text = page.read_text("utf-8").replace(
        f"{PLACEHOLDER}用一句话说明这一页回答哪些问题。", "礼品订单。"
    )
    text = text.replace(f"{PLACEHOLDER}顾客可能怎样问这个问题", "送朋友的东西能直接寄过去吗")
    head = text.split(f"{PLACEHOLDER}一两句话介绍本页。")[0]
    page.write_text(
        f"{head}礼品订单的常见问题。\n\n## 可以把商品直接寄给朋友吗？ {{#{faq_id}}}\n\n可以。\n",
        "utf-8",
    )


def test_new_registers_its_id_so_renaming_it_after_publishing_fails_check(
    project: Settings, capsys
):
    assert main(["--root", str(project.root), *NEW]) == 0
    catalogue = load_catalogue(project.catalogue_file)
    assert catalogue.entries["gift-order-address"] == "订单"
    page = project.docs_dir / "gift-orders.md"
    fill_in(page, "gift-order-address")
    assert main(["--root", str(project.root), "publish"]) == 0
    edit(page, "{#gift-order-address}", "{#gift-address}")
    capsys.readouterr()
    assert main(["--root", str(project.root), "check"]) == 2
    err = capsys.readouterr().err
    line = catalogue.lines["gift-order-address"]
    assert f"search/data/catalogue.yml:{line}: error: 目录里的 FAQ id #gift-order-address" in err


def test_a_published_id_missing_from_the_catalogue_is_still_protected(project: Settings, capsys):
    page = project.docs_dir / "gifts.md"
    page.write_text(
        "---\ntitle: 礼品\ndescription: 礼品订单。\ncategory: 订单\nupdated: 2026-11-26\n---\n\n"
        "## 能直接寄给朋友吗？ {#gift-wrap}\n\n可以。\n",
        "utf-8",
    )
    assert main(["--root", str(project.root), "publish"]) == 0
    edit(page, "{#gift-wrap}", "{#gift-wrapping}")
    capsys.readouterr()
    assert main(["--root", str(project.root), "check"]) == 2
    err = capsys.readouterr().err
    assert (
        "docs/gifts.md:1: error: 已发布的 FAQ id #gift-wrap 在 docs/ 中找不到（线上的 /gifts/#gift-wrap 还有它）"
        "（修改方法：把标题的 id 改回 {#gift-wrap}" in err
    )
