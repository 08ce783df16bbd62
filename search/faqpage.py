"""FAQPage structured data (schema.org JSON-LD) built from a page's {#id} questions, and its check."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .errors import Problem
from .page import Page, Section, load_page
from .renderer import mkdocs_config
from .settings import Settings

_QUESTION_MARKS = ("？", "?")

# What search engines require of FAQPage markup: one Question per entry, each with a name and
# an accepted Answer with text (https://schema.org/FAQPage).
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["@context", "@type", "mainEntity"],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "FAQPage"},
        "mainEntity": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["@type", "name", "acceptedAnswer"],
                "properties": {
                    "@type": {"const": "Question"},
                    "name": {"type": "string", "minLength": 2, "pattern": "[？?]$"},
                    "url": {"type": "string", "pattern": "^https?://"},
                    "acceptedAnswer": {
                        "type": "object",
                        "required": ["@type", "text"],
                        "properties": {
                            "@type": {"const": "Answer"},
                            "text": {"type": "string", "minLength": 1, "pattern": r"\S"},
                        },
                    },
                },
            },
        },
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


def questions(page: Page) -> list[Section]:
    """Given a page, return its FAQ entries: the {#id} sections whose heading is a question."""
    return [
        s
        for s in page.sections
        if not s.is_intro and s.id and s.title.strip().endswith(_QUESTION_MARKS)
    ]


def faq_jsonld(page: Page, site_url: str) -> dict[str, Any] | None:
    """Given a page and the site's URL, return its FAQPage JSON-LD, or None when it has no questions."""
    entries = questions(page)
    if not entries or page.excluded_from_search:
        return None
    base = site_url.rstrip("/")
    return {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": s.title.strip(),
                "url": f"{base}{s.url}",
                "acceptedAnswer": {"@type": "Answer", "text": s.text},
            }
            for s in entries
        ],
    }


def jsonld_script(data: dict[str, Any]) -> str:
    """Given JSON-LD, return it as the body of a <script> element (no "</" can close it early)."""
    return json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")


def faqpage_problems(page: Page, where: str, site_url: str) -> list[Problem]:
    """Given a page, return the problems of its FAQPage data, at the line of the entry concerned."""
    data = faq_jsonld(page, site_url)
    if data is None:
        return []
    entries = questions(page)
    out: list[Problem] = []
    for error in _VALIDATOR.iter_errors(data):
        path = list(error.absolute_path)
        index = path[1] if len(path) > 1 and path[0] == "mainEntity" else None
        line = entries[index].line if isinstance(index, int) else page.body_line
        field = "答案" if "acceptedAnswer" in path else "问题"
        out.append(
            Problem(
                where,
                line,
                f"结构化数据（FAQPage）不合格：{field}{_describe(error.validator)}",
                "每个 “## 问题？ {#id}” 下面都要有文字答案；标题以问号结尾",
            )
        )
    names = [e["name"] for e in data["mainEntity"]]
    for n, entry in enumerate(entries):
        if names.index(entry.title.strip()) != n:
            out.append(
                Problem(
                    where,
                    entry.line,
                    f"问题“{entry.title}”在本页出现了两次，结构化数据里会重复",
                    "合并这两段，或把其中一个问题换个问法",
                )
            )
    return out


def _describe(keyword: str) -> str:
    return {
        "minLength": "是空的",
        "pattern": "格式不对（问题以问号结尾，答案不能只有空白）",
        "required": "缺少必需的字段",
    }.get(keyword, f"不符合 {keyword} 要求")


def faqpage_check(settings: Settings, pages: list[Page]) -> list[Problem]:
    """Given settings and the parsed pages, return the problems of every page's FAQPage data."""
    site_url = str(mkdocs_config(settings.mkdocs_yml).get("site_url") or "http://127.0.0.1:8000/")
    return [
        problem
        for page in pages
        for problem in faqpage_problems(
            page, Path(os.path.relpath(page.path, settings.root)).as_posix(), site_url
        )
    ]


def jsonld_for_file(path: Path, docs_dir: Path, mkdocs_yml: Path, site_url: str) -> str | None:
    """Given a page's Markdown file, return the body of its FAQPage <script>, or None for no FAQ."""
    data = faq_jsonld(load_page(path, docs_dir, mkdocs_yml), site_url)
    return jsonld_script(data) if data else None
