"""`kb new`: a new help page with valid front matter, one example FAQ section, its nav entry, and
its FAQ id registered in the catalogue (so renaming it later fails `kb check`).

Everything is written with a YAML library and read back before it is kept: a title with `: ` or
a leading `#` can never leave a file that breaks the next `kb` command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from .catalogue import FAQ_ID, load_catalogue
from .errors import KbError
from .page import load_page, load_pages, parse_front_matter, split_front_matter
from .settings import Settings
from .yamlfile import add_to_block, dump_yaml, parse_yaml

PLACEHOLDER = "（待填写）"
_PATH = re.compile(r"^[a-z0-9]+(?:[-_/][a-z0-9]+)*$")
# A heading is one line, and braces would be read as its attribute list.
_NOT_IN_QUESTION = re.compile(r"[\r\n{}]")


def page_meta(title: str, category: str, faq_id: str, today: dt.date) -> dict[str, Any]:
    """Given the page's title, category and first FAQ id, return its front matter data."""
    return {
        "title": title,
        "description": f"{PLACEHOLDER}用一句话说明这一页回答哪些问题。",
        "category": category,
        "updated": today,
        "phrasings": {faq_id: [f"{PLACEHOLDER}顾客可能怎样问这个问题"]},
    }


def page_template(title: str, category: str, faq_id: str, question: str, today: dt.date) -> str:
    """Given the page's title, category and first question, return the new page's Markdown."""
    return f"""---
{dump_yaml(page_meta(title, category, faq_id, today))}---

{PLACEHOLDER}一两句话介绍本页。

## {question} {{#{faq_id}}}

{PLACEHOLDER}先用一两句话直接回答问题。

1. {PLACEHOLDER}第一步
2. {PLACEHOLDER}第二步

!!! warning "{PLACEHOLDER}需要特别提醒的事"
    {PLACEHOLDER}例如：发货后无法取消。没有就删掉这一段。
"""


def _nav_with(mkdocs_yml: Path, title: str, rel: str) -> str | None:
    """Given mkdocs.yml, return its text with the page added to `nav:` (None: it has no nav)."""
    text = mkdocs_yml.read_text(encoding="utf-8")
    new = add_to_block(text, "nav", [{title: rel}], before="updates.md")
    if new is None:
        return None  # no explicit nav: MkDocs lists every page by itself
    doc = parse_yaml(new, any_tags=True)
    nav = doc.data.get("nav") if isinstance(doc.data, dict) else None
    if doc.problems or not isinstance(nav, list) or {title: rel} not in nav:
        raise KbError(
            "没能把新页面加进 mkdocs.yml 的 nav（写完读不回来）",
            f"手动在 mkdocs.yml 的 nav: 下加一行 “- {title}: {rel}”",
        )
    return new


def _catalogue_with(settings: Settings, faq_id: str, category: str) -> str:
    """Given the new FAQ id and its category, return catalogue.yml's text with it registered."""
    text = settings.catalogue_file.read_text(encoding="utf-8")
    new = add_to_block(text, "entries", {faq_id: category})
    data = parse_yaml(new).data if new is not None else None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or entries.get(faq_id) != category:
        raise KbError(
            "没能把新的 FAQ id 登记进 catalogue.yml（写完读不回来）",
            f"手动在 catalogue.yml 的 entries: 下加一行 “  {faq_id}: {category}”",
        )
    return new


def _write(path: Path, text: str) -> None:
    """Given a file and its new text, replace it in one step (a crash never leaves half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _check_names(path: str, title: str, faq_id: str, question: str) -> None:
    """Refuse names and texts that would make a bad file name, id, heading or YAML value."""
    if not _PATH.match(path):
        raise KbError(
            f"页面路径 “{path}” 不合适",
            "用小写英文、数字和连字符，例如 gift-orders 或 tools/tracking",
        )
    if not FAQ_ID.match(faq_id):
        raise KbError(
            f"FAQ id “{faq_id}” 不合适", "用小写英文、数字和连字符，例如 gift-order-customs"
        )
    if not title.strip() or not question.strip():
        raise KbError(
            "标题和问题不能为空", "例如 --title 礼品订单 --question 可以把商品直接寄给朋友吗？"
        )
    if "\n" in title or "\r" in title or _NOT_IN_QUESTION.search(question):
        raise KbError("标题和问题都只能写一行，问题里不能有 { 或 }", "去掉换行和花括号后再试")


def new_page(
    settings: Settings,
    path: str,
    title: str,
    category: str,
    faq_id: str,
    question: str,
    today: dt.date | None = None,
) -> Path:
    """Given a docs-relative path (without .md) and the first question, create the page; return its file.

    The page, its nav entry and its catalogue entry are all written, or none of them.
    """
    path = path.removesuffix(".md").strip("/")
    _check_names(path, title, faq_id, question)
    catalogue = load_catalogue(settings.catalogue_file)
    if category not in catalogue.categories:
        raise KbError(
            f"未知的分类 “{category}”", f"从这些分类中选一个：{'、'.join(catalogue.categories)}"
        )
    target = settings.docs_dir / f"{path}.md"
    if target.exists():
        raise KbError(
            f"{target.relative_to(settings.root)} 已经存在", "换一个路径，或直接编辑这个文件"
        )
    taken = {h.id for p in load_pages(settings.docs_dir, settings.mkdocs_yml) for h in p.headings}
    if faq_id in taken or faq_id in catalogue.entries:
        raise KbError(f"FAQ id #{faq_id} 已经被使用", "每个 id 只能用一次：换一个新的 id")

    today = today or dt.date.today()
    text = page_template(title, category, faq_id, question, today)
    meta, _, problems = parse_front_matter(split_front_matter(text)[0])
    if problems or meta != page_meta(title, category, faq_id, today):
        raise KbError("生成的 front matter 读不回来", "换一个标题再试，并把这个问题告诉开发者")
    nav = _nav_with(settings.mkdocs_yml, title, PurePosixPath(f"{path}.md").as_posix())
    entries = _catalogue_with(settings, faq_id, category)  # registered: renaming it fails kb check
    _create(
        settings, target, text, faq_id, {settings.mkdocs_yml: nav, settings.catalogue_file: entries}
    )
    return target


def _create(
    settings: Settings, target: Path, text: str, faq_id: str, edits: dict[Path, str | None]
) -> None:
    """Write the page, check it reads back with its FAQ heading, then apply the edits to other
    files; on any failure remove the page and put the edited files back as they were."""
    before = {path: path.read_text(encoding="utf-8") for path, new in edits.items() if new}
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, text)
    try:
        page = load_page(target, settings.docs_dir, settings.mkdocs_yml)
        if faq_id not in {h.id for h in page.headings if h.level == 2}:
            raise KbError(
                f"生成的页面里找不到 #{faq_id} 这个标题",
                "换一种问题的写法再试（不要用 Markdown 符号）",
            )
        for path, new in edits.items():
            if new is not None:
                _write(path, new)
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        for path, old in before.items():
            _write(path, old)
        raise
