"""`kb check` names every planted content error with file:line, and passes the real docs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from search.checker import find_problems
from search.cli import main
from search.page import load_page
from search.settings import Settings, load_settings
from tests.helpers import ROOT, edit


def kb_check(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["--root", str(settings.root), "check"])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_real_docs_pass_with_no_errors(capsys):
    code, output = kb_check(load_settings(ROOT), capsys)
    assert code == 0, output
    assert "通过" in output


def test_the_fixture_help_center_passes_too(project: Settings, capsys):
    code, output = kb_check(project, capsys)
    assert code == 0, output


# (page, text to replace, replacement, what kb check prints): {line} is the line of the edit,
# {next} the line after it.
PLANTED = [
    pytest.param(
        "refund.md",
        "## 已退款但银行卡没到账怎么办？ {#refund-bank}",
        "## 已退款但银行卡没到账怎么办？ {#cancel-refund}",
        [
            "docs/refund.md:{line}: error: 锚点 #cancel-refund 在本页重复（原来的在第 130 行）",
            "docs/refund.md:{line}: error: FAQ id #cancel-refund 重复（已在 docs/refund.md:130 使用）",
        ],
        id="duplicate-id-on-one-page",
    ),
    pytest.param(
        "cancel.md",
        "](refund.md#cancel-refund)",
        "](refunds.md#cancel-refund)",
        ["docs/cancel.md:{line}: error: 链接目标 refunds.md 不存在"],
        id="broken-link",
    ),
    pytest.param(
        "cancel.md",
        "](refund.md#cancel-refund)",
        "](../pyproject.toml)",
        ["docs/cancel.md:{line}: error: 链接目标 ../pyproject.toml 不存在"],
        id="link-outside-docs",
    ),
    pytest.param(
        "return.md",
        "](refund.md#return-refund-time)",
        "](refund.md#refund-time)",
        [
            "docs/return.md:{line}: error: 链接 refund.md#refund-time 的锚点 #refund-time 在 "
            "refund.md 里不存在（修改方法：你是不是想写 #return-refund-time？"
        ],
        id="broken-anchor-with-a-suggestion",
    ),
    pytest.param(
        "customs.md",
        "description: 亚马逊海外购为什么",
        "summary: 亚马逊海外购为什么",
        [
            "docs/customs.md:1: error: front matter 缺少 description",
            "docs/customs.md:{line}: error: front matter 里有未知字段 summary",
        ],
        id="missing-and-unknown-front-matter-field",
    ),
    pytest.param(
        "about.md",
        "category: 关于海外购\n",
        "category: 关于海外购\ncategory: 订单\n",
        ["docs/about.md:{next}: error: front matter 里键 category 重复（第一次在第 {line} 行）"],
        id="duplicate-front-matter-key",
    ),
    pytest.param(
        "about.md",
        "updated: 2026-11-27",
        "updated: 26/11/2026",
        ["docs/about.md:{line}: error: updated “26/11/2026” 不是日期"],
        id="malformed-date",
    ),
    pytest.param(
        "refund.md",
        "category: 退款",
        "category: 退钱",
        ["docs/refund.md:{line}: error: 未知的 category “退钱”"],
        id="unknown-category",
    ),
    pytest.param(
        "about.md",
        "## 亚马逊海外购是什么？靠谱吗？ {#about-haiwaigou}",
        "## 亚马逊海外购是什么？靠谱吗？",
        ["docs/about.md:{line}: error: 二级标题 “亚马逊海外购是什么？靠谱吗？” 没有固定 id"],
        id="heading-without-stable-id",
    ),
    pytest.param(
        "about.md",
        "  order-missing:\n",
        "  order-lost:\n",
        ["docs/about.md:{line}: error: phrasings 里的 order-lost 不是本页的 FAQ id"],
        id="phrasings-for-an-unknown-id",
    ),
    pytest.param(
        "refund.md",
        "category: 退款\n",
        "category: 退款\nsearch:\n  boost: lots\n",
        ["docs/refund.md:{next}: error: search.boost “lots” 不是 0.1–10 之间的数"],
        id="bad-search-options",
    ),
]


@pytest.mark.parametrize(("page", "old", "new", "expected"), PLANTED)
def test_a_planted_mistake_is_named_with_file_line_and_fix(
    project: Settings, capsys, page: str, old: str, new: str, expected: list[str]
):
    line = edit(project.docs_dir / page, old, new)
    code, output = kb_check(project, capsys)
    assert code == 2, output
    for text in expected:
        assert text.format(line=line, next=line + 1) in output, output
    assert "（修改方法：" in output


def test_duplicate_id_across_pages_is_named_at_the_new_occurrence(project: Settings, capsys):
    line = edit(project.docs_dir / "customs.md", "{#customs-id-photo}", "{#return-packaging}")
    code, output = kb_check(project, capsys)
    assert code != 0
    # customs.md comes first in path order, but return-packaging is a 退货 entry: return.md has the
    # original, so the new use in customs.md is the one named.
    assert re.search(
        rf"docs/customs\.md:{line}: error: FAQ id #return-packaging 重复（已在 docs/return\.md:\d+ 使用）",
        output,
    )
    assert "docs/return.md" not in output.split("已在")[0]


def test_a_duplicate_id_is_named_where_the_live_site_does_not_have_it(project: Settings, capsys):
    assert main(["--root", str(project.root), "publish"]) == 0
    path = project.docs_dir / "refund.md"
    text = path.read_text("utf-8")
    # A new section above the original, reusing its id: the live site shows which one is new.
    line = edit(
        path,
        "## 取消后钱什么时候",
        "## 新问题？ {#cancel-refund}\n\n新答案。\n\n## 取消后钱什么时候",
    )
    code, output = kb_check(project, capsys)
    assert code == 2 and text != path.read_text("utf-8")
    assert re.search(
        rf"docs/refund\.md:{line}: error: 锚点 #cancel-refund 在本页重复（原来的在第 {line + 4} 行）",
        output,
    )
    assert re.search(
        rf"docs/refund\.md:{line}: error: FAQ id #cancel-refund 重复（已在 docs/refund\.md:{line + 4} 使用）",
        output,
    )


def test_missing_catalogue_id_is_named(project: Settings, capsys):
    edit(project.docs_dir / "return.md", "{#return-packaging}", "{#return-boxes}")
    code, output = kb_check(project, capsys)
    assert code != 0
    assert re.search(
        r"search/data/catalogue\.yml:\d+: error: 目录里的 FAQ id #return-packaging", output
    )


@pytest.mark.parametrize("date", ["2026-13-01", "2026-02-30"])
@pytest.mark.parametrize("command", ["check", "publish"])
def test_an_impossible_date_is_a_located_error_not_a_traceback(
    project: Settings, capsys, date: str, command: str
):
    line = edit(project.docs_dir / "about.md", "updated: 2026-11-27", f"updated: {date}")
    code = main(["--root", str(project.root), command])
    err = capsys.readouterr().err
    assert code == 2, err
    assert (
        f"docs/about.md:{line}: error: updated “{date}” 不是存在的日期"
        "（修改方法：月份是 01–12，日子不超过那个月的天数，例如 updated: 2026-11-26）" in err
    )
    assert "Traceback" not in err and not project.site_dir.exists()


def test_page_without_front_matter_is_named(project: Settings, capsys):
    path = project.docs_dir / "extra.md"
    path.write_text("## 新问题 {#extra-question}\n\n答案。\n", encoding="utf-8")
    code, output = kb_check(project, capsys)
    assert code != 0
    assert "docs/extra.md:1: error: 缺少 front matter" in output


def test_invalid_yaml_front_matter_is_named(project: Settings, capsys):
    edit(project.docs_dir / "about.md", "title: 关于海外购与订单", "title: [关于海外购")
    code, output = kb_check(project, capsys)
    assert code != 0
    assert re.search(r"docs/about\.md:\d+: error: front matter 不是合法的 YAML", output)


def test_empty_section_is_named(project: Settings, capsys):
    path = project.docs_dir / "cancel.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("## 取消时要说明原因吗？")
    end = text.index("## 取消订单要手续费吗？")
    heading = "## 取消时要说明原因吗？ {#cancel-reason}\n\n"
    path.write_text(text[:start] + heading + text[end:], encoding="utf-8")
    line = text[:start].count("\n") + 1
    code, output = kb_check(project, capsys)
    assert code != 0
    assert f"docs/cancel.md:{line}: error: FAQ 段落 #cancel-reason 是空的" in output


def test_a_setext_heading_is_named_and_later_lines_stay_right(project: Settings, capsys):
    path = project.docs_dir / "about.md"
    line = edit(
        path,
        "## 亚马逊海外购是什么？靠谱吗？ {#about-haiwaigou}",
        "海外购靠谱吗\n------\n\n答案。\n\n## 亚马逊海外购是什么？靠谱吗？ {#about-haiwaigou}",
    )
    later = edit(path, "先自己查两件事", "## 找不到订单\n\n先自己查两件事")
    code, output = kb_check(project, capsys)
    assert code == 2
    assert (
        f"docs/about.md:{line}: error: 标题 “海外购靠谱吗” 是用下一行的 - 标出来的"
        "（修改方法：写成一行 “## 海外购靠谱吗 {#英文-id}”，并删掉下面那一行 ---）" in output
    )
    assert f"docs/about.md:{line}: error: 二级标题 “海外购靠谱吗” 没有固定 id" in output
    assert f"docs/about.md:{later}: error: 二级标题 “找不到订单” 没有固定 id" in output


def test_heading_lines_come_from_the_explicit_ids_whatever_comes_before(project: Settings):
    path = project.docs_dir / "return.md"
    edit(
        path,
        "\n## ",
        "\n<div markdown><h3>一个 HTML 标题</h3></div>\n\n!!! note\n    ### 提示里的标题\n\n## ",
    )
    page = load_page(path, project.docs_dir, project.mkdocs_yml)
    source = path.read_text("utf-8").splitlines()
    for h in page.headings:
        if h.level == 2:
            assert f"{{#{h.id}}}" in source[h.line - 1], h


def test_stale_page_is_a_warning_not_an_error(project: Settings):
    late = dt.date(2026, 11, 26) + dt.timedelta(days=project.stale_after_days + 30)
    problems = find_problems(project, today=late)
    assert problems and all(p.severity == "warning" for p in problems)
    assert any("没有复核" in p.message and p.path == "docs/cancel.md" for p in problems)


def test_every_problem_says_how_to_fix_it(project: Settings):
    edit(project.docs_dir / "return.md", "](refund.md#return-refund-time)", "](refund.md#nowhere)")
    problems = find_problems(project)
    assert problems
    assert all(p.hint and p.line >= 1 for p in problems)
