"""The built site: strict build, every catalogue id an anchor, Chinese built-in search, atomic publish."""

from __future__ import annotations

import json
import os
import re

import pytest

from search.catalogue import load_catalogue
from search.errors import BuildError
from search.settings import Settings
from search.site import build_site, is_stale, source_mtime
from tests.helpers import copy_project


def html_ids(settings: Settings) -> set[str]:
    ids: set[str] = set()
    for path in settings.site_dir.rglob("*.html"):
        ids |= set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding="utf-8")))
    return ids


def test_every_catalogue_id_is_an_anchor_of_the_built_site(real_built_project: Settings):
    catalogue = load_catalogue(real_built_project.catalogue_file)
    missing = set(catalogue.entries) - html_ids(real_built_project)
    assert not missing


def test_catalogue_anchor_lives_on_its_page(built_project: Settings):
    html = (built_project.site_dir / "return" / "index.html").read_text(encoding="utf-8")
    assert 'id="return-shipping-fee"' in html
    assert "退货运费谁出" in html


def test_builtin_search_index_is_segmented_with_the_domain_words(built_project: Settings):
    index = json.loads((built_project.site_dir / "search" / "search_index.json").read_text("utf-8"))
    assert index["config"]["lang"] == ["zh"]
    assert "\\u200b" in index["config"]["separator"]
    texts = [d["text"] for d in index["docs"] if d["location"].endswith("#return-customs-info")]
    assert texts and "\u200b" in texts[0]
    # 易客满 is in search/data/words.txt: jieba must keep it whole, not cut 易/客满.
    assert "\u200b易客满\u200b" in texts[0]


def test_pages_show_their_last_updated_date(built_project: Settings):
    html = (built_project.site_dir / "cancel" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'最后更新：<time datetime="\d{4}-\d{2}-\d{2}">', html)


def test_built_site_is_fresh_until_a_page_changes(built_project: Settings):
    assert not is_stale(built_project)


def test_failed_build_leaves_the_live_site_as_it_was(project: Settings):
    first = build_site(project)
    before = {p: p.read_bytes() for p in project.site_dir.rglob("*") if p.is_file()}
    cancel = project.docs_dir / "cancel.md"
    cancel.write_text(cancel.read_text("utf-8") + "\n[坏链接](missing-page.md)\n", "utf-8")
    with pytest.raises(BuildError) as e:
        build_site(project)
    assert "missing-page.md" in str(e.value)
    assert project.site_dir.resolve() == first
    after = {p: p.read_bytes() for p in project.site_dir.rglob("*") if p.is_file()}
    assert after == before
    releases = first.parent.parent
    assert [p.name for p in releases.iterdir()] == [first.parent.name]  # the failed one is gone


def test_each_page_has_its_front_matter_description_and_sitemap_date(built_project: Settings):
    import html as html_lib

    from search.page import load_pages

    sitemap = (built_project.site_dir / "sitemap.xml").read_text("utf-8")
    lastmod = dict(
        re.findall(r"<loc>https?://[^/]+(/[^<]*)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap)
    )
    for page in load_pages(built_project.docs_dir, built_project.mkdocs_yml):
        built = (built_project.site_dir / page.url.strip("/") / "index.html").read_text("utf-8")
        description = re.search(r'<meta name="description" content="([^"]*)"', built).group(1)
        assert html_lib.unescape(description) == page.meta["description"], page.rel
        assert lastmod[page.url] == page.meta["updated"].isoformat(), page.rel


def test_search_dropdown_lines_read_like_the_help_centers_own(built_project: Settings):
    built = (built_project.site_dir / "index.html").read_text("utf-8")
    config = re.search(r'id="__config" type="application/json">(.*?)</script>', built, re.S)
    words = json.loads(config.group(1))["translations"]
    assert words["search.result.other"] == "找到 # 条结果"
    assert words["search.result.one"] == "找到 1 条结果"
    assert words["search.result.placeholder"].startswith("输入问题")


def test_only_what_the_build_reads_makes_the_site_stale(project: Settings):
    def touched(rel: str) -> bool:
        before = source_mtime(project)
        later = before + 60
        os.utime(project.root / rel, (later, later))
        return source_mtime(project) > before

    assert not touched("scripts/bench_search.py")  # a benchmark is no part of the site
    assert not touched("pyproject.toml")
    for rel in (
        "scripts/mkdocs_hooks.py",
        "overrides/main.html",
        "docs/return.md",
        "docs/assets/kb/agent.js",
        "search/data/words.txt",
        "mkdocs.yml",
    ):
        assert touched(rel), rel


def test_templates_compiled_once_are_kept_and_an_edited_template_is_built_anew(tmp_path):
    settings = copy_project(tmp_path / "project")
    build_site(settings)
    kept = settings.build_dir / "cache" / "templates"
    assert len(list(kept.iterdir())) > 10  # Material's templates, compiled by the first build
    main_html = settings.root / "overrides" / "main.html"
    text = main_html.read_text("utf-8")
    main_html.write_text(
        text.replace("{% block extrahead %}", '{% block extrahead %}<meta name="kb-marker">', 1),
        "utf-8",
    )
    build_site(settings)
    assert '<meta name="kb-marker">' in (settings.site_dir / "index.html").read_text("utf-8")
