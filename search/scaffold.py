"""`kb new`: a new help page with valid front matter, one example FAQ section, and its nav entry."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath

from .catalogue import load_catalogue
from .errors import KbError
from .page import load_pages
from .settings import Settings

PLACEHOLDER = "（待填写）"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PATH = re.compile(r"^[a-z0-9]+(?:[-_/][a-z0-9]+)*$")


def page_template(title: str, category: str, faq_id: str, question: str, today: dt.date) -> str:
    """Given the page's title, category and first question, return the new page's Markdown."""
    return f"""---
title: {title}
description: {PLACEHOLDER}用一句话说明这一页回答哪些问题。
category: {category}
updated: {today.isoformat()}
phrasings:
  {faq_id}:
    - {PLACEHOLDER}顾客可能怎样问这个问题
---

{PLACEHOLDER}一两句话介绍本页。

## {question} {{#{faq_id}}}

{PLACEHOLDER}先用一两句话直接回答问题。

1. {PLACEHOLDER}第一步
2. {PLACEHOLDER}第二步

!!! warning "{PLACEHOLDER}需要特别提醒的事"
    {PLACEHOLDER}例如：发货后无法取消。没有就删掉这一段。
"""


def _add_to_nav(mkdocs_yml: Path, title: str, rel: str) -> None:
    lines = mkdocs_yml.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "nav:"), None)
    if start is None:
        return  # no explicit nav: MkDocs lists every page by itself
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    at = next((i for i in range(start + 1, end) if "updates.md" in lines[i]), end)
    lines.insert(at, f"  - {title}: {rel}\n")
    mkdocs_yml.write_text("".join(lines), encoding="utf-8")


def new_page(
    settings: Settings,
    path: str,
    title: str,
    category: str,
    faq_id: str,
    question: str,
    today: dt.date | None = None,
) -> Path:
    """Given a docs-relative path (without .md) and the first question, create the page; return its file."""
    path = path.removesuffix(".md").strip("/")
    if not _PATH.match(path):
        raise KbError(
            f"页面路径 “{path}” 不合适",
            "用小写英文、数字和连字符，例如 gift-orders 或 tools/tracking",
        )
    if not _ID.match(faq_id):
        raise KbError(
            f"FAQ id “{faq_id}” 不合适", "用小写英文、数字和连字符，例如 gift-order-customs"
        )
    categories = load_catalogue(settings.catalogue_file).categories
    if category not in categories:
        raise KbError(f"未知的分类 “{category}”", f"从这些分类中选一个：{'、'.join(categories)}")
    if not title.strip() or not question.strip():
        raise KbError(
            "标题和问题不能为空", "例如 --title 礼品订单 --question 可以把商品直接寄给朋友吗？"
        )
    target = settings.docs_dir / f"{path}.md"
    if target.exists():
        raise KbError(
            f"{target.relative_to(settings.root)} 已经存在", "换一个路径，或直接编辑这个文件"
        )
    taken = {h.id for p in load_pages(settings.docs_dir, settings.mkdocs_yml) for h in p.headings}
    if faq_id in taken:
        raise KbError(f"FAQ id #{faq_id} 已经被使用", "每个 id 只能用一次：换一个新的 id")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        page_template(title, category, faq_id, question, today or dt.date.today()), "utf-8"
    )
    _add_to_nav(settings.mkdocs_yml, title, PurePosixPath(f"{path}.md").as_posix())
    return target
