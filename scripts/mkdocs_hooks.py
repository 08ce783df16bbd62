"""MkDocs hooks: glue between the site build and the `search` package (no logic of its own)."""

from __future__ import annotations

import logging

from mkdocs.exceptions import PluginError

# Runs at config load, before Material's search plugin initialises jieba:
# its "Building prefix dict" lines are progress chatter, not warnings.
logging.getLogger("jieba").setLevel(logging.WARNING)


def on_config(config):
    """Refuse to build a Chinese site whose built-in search would silently skip segmentation."""
    try:
        import jieba  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise PluginError("jieba 未安装：站内搜索无法切分中文。请 pip install -e '.[test]'") from e
    return config


def on_files(files, config):
    """Add the generated 最近更新 page, listed from the pages' own `updated` dates."""
    from pathlib import Path

    from mkdocs.structure.files import File

    from search.freshness import UPDATES_PAGE, recent_updates_markdown
    from search.page import load_pages

    pages = load_pages(Path(config.docs_dir), Path(config.config_file_path))
    files.append(File.generated(config, UPDATES_PAGE, content=recent_updates_markdown(pages)))
    return files


def on_post_build(config):
    """Write the calculator's working-day calendar (holidays library + editor overrides) into the site."""
    from pathlib import Path

    from search.errors import KbError
    from search.workdays import write_calendar

    try:
        write_calendar(Path(config.docs_dir), Path(config.site_dir))
    except KbError as e:
        raise PluginError(f"{e}（{e.hint}）") from e
