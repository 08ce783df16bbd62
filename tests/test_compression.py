"""Compressed responses: Brotli or gzip when the browser asks, plain bytes when it does not, never stale."""

from __future__ import annotations

import asyncio
import gzip
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli
import pytest
from starlette.datastructures import Headers

from search.compression import Compression, accepted, precompress
from search.settings import Settings

BR, GZIP, PLAIN = "br, gzip, deflate", "gzip, deflate", "identity"


def asset(settings: Settings, folder: str, suffix: str) -> str:
    """Given a site folder and a suffix, return the URL path of the largest such file in it."""
    files = sorted((settings.site_dir / folder).glob(f"*{suffix}"), key=lambda p: p.stat().st_size)
    return "/" + files[-1].relative_to(settings.site_dir).as_posix()


def text_urls(settings: Settings) -> list[str]:
    """Given a built site, return one URL of each kind of text it serves: HTML, CSS, JS, JSON, XML."""
    return [
        "/",
        "/return/",
        asset(settings, "assets/stylesheets", ".css"),
        asset(settings, "assets/javascripts", ".js"),
        "/search/search_index.json",
        "/sitemap.xml",
        "/api/search?q=退货运费谁出",
    ]


def vary(response) -> list[str]:
    return [v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()]


@pytest.mark.parametrize(("accept", "coding"), [(BR, "br"), (GZIP, "gzip")])
def test_every_kind_of_text_comes_compressed_when_the_browser_asks(
    app_client, indexed_project: Settings, accept: str, coding: str
):
    for url in text_urls(indexed_project):
        plain = app_client.get(url, headers={"Accept-Encoding": PLAIN})
        packed = app_client.get(url, headers={"Accept-Encoding": accept})
        assert packed.status_code == 200, url
        assert packed.headers.get("content-encoding") == coding, url
        assert vary(packed) == ["accept-encoding"], url
        assert int(packed.headers["content-length"]) < len(plain.content) * 0.6, url
        if not url.startswith("/api/"):  # an answer's took_ms differs between two searches
            assert packed.content == plain.content, url  # decoded by the client: the same bytes


def test_plain_bytes_when_the_browser_does_not_ask_or_refuses(
    app_client, indexed_project: Settings
):
    for url in text_urls(indexed_project):
        for accept in (PLAIN, "br;q=0, gzip;q=0", "zstd"):
            r = app_client.get(url, headers={"Accept-Encoding": accept})
            assert r.status_code == 200, url
            assert "content-encoding" not in r.headers, (url, accept)
            assert vary(r) == ["accept-encoding"], (url, accept)  # a cache keeps both apart
            assert int(r.headers["content-length"]) == len(r.content), url


def test_site_files_are_compressed_once_per_release_not_per_request(indexed_project: Settings):
    site = indexed_project.site_dir
    page = site / "return" / "index.html"
    assert brotli.decompress((site / "return" / "index.html.br").read_bytes()) == page.read_bytes()
    assert gzip.decompress((site / "return" / "index.html.gz").read_bytes()) == page.read_bytes()
    assert not list(site.rglob("*.png.br")) and not list(site.rglob("*.png.gz"))


def test_precompress_skips_small_and_binary_files_and_is_repeatable(tmp_path: Path):
    (tmp_path / "big.css").write_text("a { color: red }\n" * 200)
    (tmp_path / "small.js").write_text("x()")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + bytes(4000))
    assert precompress(tmp_path) == 1
    first = (tmp_path / "big.css.gz").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "big.css",
        "big.css.br",
        "big.css.gz",
        "logo.png",
        "small.js",
    ]
    precompress(tmp_path)
    assert (tmp_path / "big.css.gz").read_bytes() == first  # no timestamp inside: same bytes


def test_images_are_never_recompressed(app_client, indexed_project: Settings):
    png = next(indexed_project.site_dir.rglob("*.png"))
    r = app_client.get(
        "/" + png.relative_to(indexed_project.site_dir).as_posix(), headers={"Accept-Encoding": BR}
    )
    assert r.status_code == 200 and "content-encoding" not in r.headers


def test_a_compressed_page_revalidates_to_304_with_its_own_etag(app_client):
    first = app_client.get("/return/", headers={"Accept-Encoding": BR})
    etag = first.headers["etag"]
    plain_etag = app_client.get("/return/", headers={"Accept-Encoding": PLAIN}).headers["etag"]
    assert etag != plain_etag  # two representations, two validators
    again = app_client.get("/return/", headers={"Accept-Encoding": BR, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert vary(again) == ["accept-encoding"]


def test_api_errors_and_small_answers_stay_readable(app_client):
    r = app_client.get("/api/search", headers={"Accept-Encoding": BR})
    assert r.status_code == 400 and r.json()["error"]  # small: sent plain, still JSON
    assert "content-encoding" not in r.headers


@pytest.mark.parametrize(
    ("header", "codings"),
    [
        ("gzip, deflate, br", {"gzip", "deflate", "br"}),
        ("br;q=0, gzip;q=0.5", {"gzip"}),
        ("GZIP ; q=1.0", {"gzip"}),
        ("br;q=zero, gzip", {"gzip"}),
        ("", set()),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str, codings: set[str]):
    assert accepted(Headers({"accept-encoding": header})) == codings


@pytest.mark.parametrize(
    ("coding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_a_body_sent_again_is_compressed_once(coding, decode):
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from search.compression import Compression, packed

    body = {"results": [{"answer": "退货运费由谁承担取决于退货原因。" * 40}]}
    app = Starlette(routes=[Route("/", lambda request: JSONResponse(body))])
    app.add_middleware(Compression)

    def raw() -> bytes:
        """Ask once; return the body as sent (not decoded by the client)."""
        with client.stream("GET", "/", headers={"Accept-Encoding": coding}) as r:
            assert r.headers["content-encoding"] == coding
            return b"".join(r.iter_raw())

    packed.cache_clear()
    with TestClient(app) as client:
        first, again = raw(), raw()
    assert first == again and len(first) < 400
    assert decode(first) == JSONResponse(body).body
    assert packed.cache_len() == 1  # the second time: a look-up, not a compressor


@pytest.mark.parametrize(
    ("own", "sent"),
    [
        ([], [b"Accept-Encoding"]),
        ([(b"vary", b"Origin")], [b"Origin, Accept-Encoding"]),
        ([(b"Vary", b"accept-encoding")], [b"accept-encoding"]),
    ],
)
def test_a_plain_response_says_vary_accept_encoding_once(own, sent):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": list(own)})
        await send({"type": "http.response.body", "body": b"{}" * 600})

    messages = []

    async def send(message):
        messages.append(message)

    scope = {"type": "http", "method": "GET", "path": "/api/x", "headers": [(b"host", b"x")]}
    # In a thread of its own: a browser test earlier in this worker leaves Playwright's event loop
    # running in the main thread, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, Compression(app)(scope, None, send)).result()
    start = messages[0]
    assert [v for k, v in start["headers"] if k.lower() == b"vary"] == sent
    assert messages[1]["body"] == b"{}" * 600
