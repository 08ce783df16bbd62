"""`kb new` scaffolds a page editors can fill in; `kb check` blocks it until the placeholders are gone."""

from __future__ import annotations

import pytest

from search.checker import find_problems
from search.cli import main
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
    ("args", "message"),
    [
        (
            [
                "new",
                "cancel",
                "--title",
                "x",
                "--category",
                "订单",
                "--id",
                "x-y",
                "--question",
                "q",
            ],
            "已经存在",
        ),
        (
            [
                "new",
                "other",
                "--title",
                "x",
                "--category",
                "订单",
                "--id",
                "cancel-fee",
                "--question",
                "q",
            ],
            "已经被使用",
        ),
        (
            [
                "new",
                "other",
                "--title",
                "x",
                "--category",
                "杂项",
                "--id",
                "x-y",
                "--question",
                "q",
            ],
            "未知的分类",
        ),
        (
            [
                "new",
                "Other Page",
                "--title",
                "x",
                "--category",
                "订单",
                "--id",
                "x-y",
                "--question",
                "q",
            ],
            "页面路径",
        ),
        (
            [
                "new",
                "other",
                "--title",
                "x",
                "--category",
                "订单",
                "--id",
                "X_Y",
                "--question",
                "q",
            ],
            "FAQ id",
        ),
    ],
)
def test_new_refuses_bad_or_taken_names_with_a_hint(project: Settings, capsys, args, message):
    assert main(["--root", str(project.root), *args]) != 0
    err = capsys.readouterr().err
    assert message in err and "提示" in err
