"""The FAQ catalogue: the stable ids every build must carry, and the allowed categories."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataFileError, Problem
from .yamlfile import YamlDoc, parse_yaml

FAQ_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEYS = ("categories", "entries")
HINT = (
    "catalogue.yml 写成两部分：categories: 下面用 “- 分类” 列出分类；"
    "entries: 下面每行 “faq-id: 分类”（文件开头的注释有说明）"
)


@dataclass(frozen=True)
class Catalogue:
    """Stable FAQ ids with their categories, and where each is declared."""

    path: Path
    categories: tuple[str, ...]
    entries: dict[str, str]
    lines: dict[str, int]


def _read(path: Path) -> tuple[YamlDoc, list[Problem]]:
    """Given catalogue.yml, return its parsed YAML and every way it breaks the catalogue's format."""
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return YamlDoc(None), [Problem(str(path), 1, f"读不了目录文件：{e}", HINT)]
    out = [Problem(str(path), p.line, p.message, HINT) for p in doc.problems]
    if doc.data is None and out:
        return doc, out
    data = doc.data

    def problem(message: str, *key: Any) -> None:
        out.append(Problem(str(path), doc.line(*key), message, HINT))

    if not isinstance(data, dict):
        problem("目录文件必须是 “键: 值” 的映射，含 categories 和 entries")
        return doc, out
    for key in data:
        if key not in KEYS:
            near = difflib.get_close_matches(str(key), KEYS, n=1)
            guess = f"；你是不是想写 {near[0]}？" if near else ""
            problem(f"未知字段 {key}{guess}", key)
    for key in KEYS:
        if key not in data:
            problem(f"缺少 {key}:")
    categories = data.get("categories")
    if "categories" in data and (
        not isinstance(categories, list)
        or not categories
        or not all(isinstance(c, str) and c.strip() for c in categories)
    ):
        problem("categories 必须是非空文字的列表（每行 “- 分类”）", "categories")
    entries = data.get("entries")
    if "entries" in data and not isinstance(entries, dict):
        problem("entries 必须是 “faq-id: 分类” 的映射", "entries")
    elif isinstance(entries, dict):
        known = set(categories) if isinstance(categories, list) else set()
        for fid, category in entries.items():
            if not isinstance(fid, str) or not FAQ_ID.match(fid):
                problem(f"FAQ id “{fid}” 不合适：只能用小写英文、数字和连字符", "entries", fid)
            elif known and (not isinstance(category, str) or category not in known):
                problem(f"#{fid} 的分类 “{category}” 不在 categories 里", "entries", fid)
    return doc, out


def catalogue_problems(path: Path) -> list[Problem]:
    """Given catalogue.yml, return every way it breaks the format (empty when it is fine)."""
    return _read(path)[1]


def load_catalogue(path: Path) -> Catalogue:
    """Given catalogue.yml, return the Catalogue; raise DataFileError at the first broken line."""
    doc, problems = _read(path)
    if problems:
        first = problems[0]
        raise DataFileError(path, first.line, first.message, first.hint)
    return Catalogue(
        path,
        tuple(doc.data["categories"]),
        dict(doc.data["entries"]),
        {k: doc.line("entries", k) for k in doc.data["entries"]},
    )
