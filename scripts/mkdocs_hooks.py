"""MkDocs hooks: glue between the site build and the `search` package (no logic of its own)."""

from __future__ import annotations

import datetime as dt
import logging
import re

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


def on_env(env, config, files):
    """Keep compiled templates between kb's builds (search.site.template_cache)."""
    from search.site import template_cache

    cache = template_cache()
    if cache is not None:
        env.bytecode_cache = cache
    return env


def on_files(files, config):
    """Add the generated 最近更新 page, listed from the pages' own `updated` dates."""
    from pathlib import Path

    from mkdocs.structure.files import File

    from search.freshness import UPDATES_PAGE, recent_updates_markdown
    from search.page import load_front_matters

    # Dates and titles only: no Markdown to render.
    pages = load_front_matters(Path(config.docs_dir))
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


def on_page_markdown(markdown, page, config, files):
    """Give the sitemap the page's own review date (front matter `updated`), not the build date."""
    updated = page.meta.get("updated")
    if isinstance(updated, dt.date):
        page.update_date = updated.isoformat()
    return markdown


_FIRST_H2 = re.compile(r"^\s*<h2([^>]*)>(.*?)</h2>", re.S)


def on_page_content(html, page, config, files):
    """A page that opens with an h2 titled like the page (the calculator) gets it as its only h1,
    instead of Material adding the nav title above it."""
    m = _FIRST_H2.match(html)
    title = str(page.meta.get("title") or "")
    if (
        "<h1" in html
        or not m
        or not title
        or not re.sub(r"<[^>]+>", "", m.group(2)).startswith(title)
    ):
        return html
    return f"<h1{m.group(1)}>{m.group(2)}</h1>{html[m.end() :]}"


def on_page_context(context, page, config, nav):
    """Hand the template the page's FAQPage structured data (built in search.faqpage)."""
    from pathlib import Path

    from search.faqpage import jsonld_for_file

    source = page.file.abs_src_path
    context["kb_faq_jsonld"] = (
        jsonld_for_file(
            Path(source), Path(config.docs_dir), Path(config.config_file_path), config.site_url
        )
        if source
        else None
    )
    return context
