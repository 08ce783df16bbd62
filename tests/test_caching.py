"""Caching: fingerprinted files kept for a year, everything else revalidated, so a publish is seen at once."""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from search.api import create_app
from search.cli import main
from search.settings import Settings
from tests.conftest import _QuietHandler
from tests.helpers import LiveServer, copy_built

IMMUTABLE = "public, max-age=31536000, immutable"
HASHED = re.compile(r"\.[0-9a-f]{8,}\.(?:min\.)?(?:js|css)$")
PACKED = (".br", ".gz")
MADE_PER_REQUEST = {"/sitemap.xml": "no-cache", "/assets/kb/service.json": "no-store"}


def site_paths(site: Path) -> list[str]:
    """Given a built site, return the URL path of every file it serves (not the compressed copies)."""
    return [
        "/" + p.relative_to(site).as_posix()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.name.endswith(PACKED) and not p.name.startswith(".")
    ]


def test_only_fingerprinted_names_are_cached_for_a_year(app_client, indexed_project: Settings):
    paths = site_paths(indexed_project.site_dir)
    assert sum(bool(HASHED.search(p)) for p in paths) >= 5  # ours and Material's
    for path in paths:
        for accept in ("identity", "br, gzip"):
            r = app_client.get(path, headers={"Accept-Encoding": accept})
            assert r.status_code == 200, path
            if path in MADE_PER_REQUEST:  # answered by the app, not from the file
                assert r.headers["cache-control"] == MADE_PER_REQUEST[path], path
            elif HASHED.search(path):
                assert r.headers["cache-control"] == IMMUTABLE, path
            else:
                assert r.headers["cache-control"] == "no-cache", path  # revalidate every time
                assert r.headers["etag"] and r.headers["last-modified"], path


def publish_change(settings: Settings, old: str, new: str) -> None:
    """Given a project, replace text in its return page (and restyle our CSS), then publish."""
    page = settings.docs_dir / "return.md"
    text = page.read_text("utf-8")
    assert old in text
    page.write_text(text.replace(old, new), "utf-8")
    css = settings.docs_dir / "assets" / "kb" / "kb.css"
    css.write_text(css.read_text("utf-8") + "\n/* a new release */\n", "utf-8")
    assert main(["--root", str(settings.root), "publish"]) == 0


OLD = "配送员不提供任何商品包装服务"
NEW = "配送员不提供任何商品包装服务（青蛙形状的保温杯也一样）"


def test_a_page_revalidates_to_its_new_version_after_a_publish(
    indexed_project: Settings, tmp_path: Path
):
    settings = copy_built(tmp_path / "project", indexed_project)
    with TestClient(create_app(settings, analytics=False)) as c:
        before = {a: c.get("/return/", headers={"Accept-Encoding": a}) for a in ("identity", "br")}
        for accept, r in before.items():
            assert r.headers["cache-control"] == "no-cache"
            again = c.get(
                "/return/", headers={"Accept-Encoding": accept, "If-None-Match": r.headers["etag"]}
            )
            assert again.status_code == 304  # unchanged: nothing sent again
        old_css = re.search(r'href="([^"]*kb\.[0-9a-f]+\.css)"', before["br"].text).group(1)
        publish_change(settings, OLD, NEW)
        for accept, r in before.items():
            after = c.get(
                "/return/", headers={"Accept-Encoding": accept, "If-None-Match": r.headers["etag"]}
            )
            assert after.status_code == 200 and NEW in after.text, accept
            assert after.headers["etag"] != r.headers["etag"]
        new_css = re.search(r'href="([^"]*kb\.[0-9a-f]+\.css)"', after.text).group(1)
        assert new_css != old_css  # a changed style gets a new name: the cached one is never reused
        assert c.get("/" + new_css.lstrip("./")).headers["cache-control"] == IMMUTABLE


@pytest.fixture
def published(
    indexed_project: Settings, tmp_path: Path
) -> Iterator[tuple[Settings, LiveServer, str]]:
    """A project of its own served by `kb serve` and, as static files, by a plain file server."""
    settings = copy_built(tmp_path / "project", indexed_project)
    # Dated now, as if built here: the plain file server sends Last-Modified and no Cache-Control,
    # and Chromium keeps a page that old files' age makes "fresh" without asking (heuristic caching).
    now = time.time()
    for file in settings.site_dir.resolve().rglob("*"):
        os.utime(file, (now, now))
    server = LiveServer(settings, tmp_path / "serve.log")
    handler = functools.partial(_QuietHandler, directory=str(settings.site_dir))
    static = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=static.serve_forever, daemon=True).start()
    try:
        yield settings, server, f"http://127.0.0.1:{static.server_address[1]}"
    finally:
        static.shutdown()
        static.server_close()
        server.stop()


def use_everything(page, base: str, api: bool) -> None:
    """Given a browser page and a site, check the FAQ page, the calculator and the agent page work."""
    page.goto(
        f"{base}/tools/calculator/?state=not_shipped&action=cancel&paid=299",
        wait_until="networkidle",
    )
    page.wait_for_selector("#kb-calc-result:not([hidden])")
    assert "299" in page.inner_text("#kb-calc-result")
    page.goto(f"{base}/search/?q={quote('退货要自己包装吗')}", wait_until="networkidle")
    if api:
        page.locator(".kb-agent__result").first.wait_for()
        assert "return-packaging" in page.locator(".kb-agent__result a").first.get_attribute("href")


@pytest.mark.browser
def test_after_a_publish_a_warm_browser_gets_the_new_release_and_everything_works(
    chromium, published
):
    settings, server, static = published
    context = chromium.new_context(locale="zh-CN")  # one cache for the whole visit
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for base, api in ((server.url, True), (static, False)):
        page.goto(f"{base}/return/", wait_until="networkidle")
        use_everything(page, base, api)
    publish_change(settings, OLD, NEW)
    for base, api in ((server.url, True), (static, False)):
        page.goto(f"{base}/return/", wait_until="networkidle")
        assert NEW in page.inner_text("article"), base  # the cached page was not shown
        use_everything(page, base, api)
        page.goto(f"{base}/return/", wait_until="networkidle")
        page.reload(wait_until="networkidle")
        assert NEW in page.inner_text("article"), base
    assert errors == []
    context.close()
