"""Markdown → HTML with exactly the extensions and slug rules mkdocs.yml gives the site."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown
import yaml

from .errors import KbError
from .yamlfile import SAFE_LOADER

# MkDocs always adds these (mkdocs.config.config_options.MarkdownExtensions default).
_MKDOCS_BUILTIN = ["toc", "tables", "fenced_code"]


@lru_cache(maxsize=8)
def _load(mkdocs_yml: Path, mtime: float) -> dict[str, Any]:
    try:
        return yaml.load(mkdocs_yml.read_text(encoding="utf-8"), Loader=SAFE_LOADER) or {}
    except (OSError, yaml.YAMLError) as e:
        raise KbError(f"读不了 {mkdocs_yml}：{e}", "检查 mkdocs.yml 是否存在、YAML 是否合法") from e


def mkdocs_config(mkdocs_yml: Path) -> dict[str, Any]:
    """Given mkdocs.yml, return its parsed content (re-read only when the file changes)."""
    try:
        mtime = mkdocs_yml.stat().st_mtime
    except OSError as e:
        raise KbError(f"读不了 {mkdocs_yml}：{e}", "检查 mkdocs.yml 是否存在、YAML 是否合法") from e
    return _load(mkdocs_yml, mtime)


def _extensions(config: dict[str, Any]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    names = list(_MKDOCS_BUILTIN)
    configs: dict[str, dict[str, Any]] = {}
    for item in config.get("markdown_extensions") or []:
        name, conf = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        if name not in names:
            names.append(name)
        if conf:
            configs[name] = dict(conf)
    return names, configs


def markdown_converter(mkdocs_yml: Path) -> markdown.Markdown:
    """Given mkdocs.yml, return a fresh Markdown converter configured as the site's."""
    names, configs = _extensions(mkdocs_config(mkdocs_yml))
    return markdown.Markdown(extensions=names, extension_configs=configs)
