"""Compressed responses: the site's text files compressed once per release, the API's answers per request.

A build writes `name.br` (Brotli) and `name.gz` (gzip) beside every text file of the site; the file
server sends one of them with `Content-Encoding` when the browser accepts it. Responses made per
request (the API's JSON, the sitemap, error pages) go through `Compression`: Brotli when accepted,
else gzip, on Starlette's own responder (which skips small bodies, images, ranges and responses
that are already encoded, and adds `Vary: Accept-Encoding`). A body sent before is not compressed
again: repeated answers cost a dictionary look-up, not a compressor.
"""

from __future__ import annotations

import contextlib
import gzip
import mimetypes
import os
from pathlib import Path

import brotli
from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipResponder, IdentityResponder
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .memo import memo

TEXT = (".html", ".css", ".js", ".mjs", ".json", ".xml", ".svg", ".txt", ".webmanifest")
MIN_SIZE = 1024  # below this the headers outweigh the saving
# Fast settings: a publish compresses ~1.5 MB of text in about 0.4 s, within a few % of the best.
BROTLI_QUALITY = 7
GZIP_LEVEL = 6
# Per request, the fastest levels: a search answer is a few KB, and a memoised one is answered in
# well under a millisecond, so the compressor's time is what the search rate loses (bench_http).
LIVE_BROTLI_QUALITY = 1
LIVE_BROTLI_WINDOW = 16  # log2 bytes: 64 KB, more than any answer, and far less to set up than 4 MB
LIVE_GZIP_LEVEL = 1
# Identical bodies are compressed once: a memoised answer differs between askings only in its
# `took_ms`, and a typing prefix's completions not at all. Bounded: ~4 MB of typical answers.
PACKED_BODIES = 512
PACKED_MAX_BYTES = 16_384
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))  # preferred first


def precompress(site: Path) -> int:
    """Given a built site folder, write .br and .gz beside each text file worth it; return how many files."""
    count = 0
    for path in sorted(site.rglob("*")):
        if path.suffix not in TEXT or not path.is_file() or path.stat().st_size < MIN_SIZE:
            continue
        data = path.read_bytes()
        for suffix, packed in (
            (".br", brotli.compress(data, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY)),
            (".gz", gzip.compress(data, GZIP_LEVEL, mtime=0)),
        ):
            if len(packed) < len(data) * 0.9:
                path.with_name(path.name + suffix).write_bytes(packed)
        count += 1
    return count


def accepted(headers: Headers) -> frozenset[str]:
    """Given request headers, return the content codings the client accepts (`;q=0` refuses one)."""
    return _codings(headers.get("accept-encoding", ""))


@memo(64, 256)  # browsers send one of a handful of Accept-Encoding values
def _codings(accept_encoding: str) -> frozenset[str]:
    codings = set()
    for item in accept_encoding.lower().split(","):
        name, *params = (part.strip() for part in item.split(";"))
        weight = next((p[2:] for p in params if p.startswith("q=")), "1")
        with contextlib.suppress(ValueError):
            if name and float(weight) > 0:
                codings.add(name)
    return frozenset(codings)


class CompressedFiles(StaticFiles):
    """Starlette's file server, sending a file's precompressed sibling when the client accepts it."""

    def file_response(
        self,
        full_path: os.PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        path = os.fspath(full_path)
        siblings = {}
        if path.endswith(TEXT):
            for coding, suffix in ENCODINGS:
                with contextlib.suppress(OSError):
                    siblings[coding] = (path + suffix, os.stat(path + suffix))
        if not siblings:  # the Compression middleware decides for small and binary files
            return super().file_response(full_path, stat_result, scope, status_code)
        request_headers = Headers(scope=scope)
        codings = accepted(request_headers)
        coding = next((c for c, _ in ENCODINGS if c in siblings and c in codings), None)
        headers = {}  # uncompressed: the Compression middleware adds Vary (once)
        if coding:
            headers = {"content-encoding": coding, "vary": "Accept-Encoding"}
            path, stat_result = siblings[coding]
        response = FileResponse(
            path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=mimetypes.guess_type(os.fspath(full_path))[0],
            headers=headers,
        )
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response


@memo(PACKED_BODIES, PACKED_MAX_BYTES)
def packed(coding: str, body: bytes) -> bytes:
    """Given a content coding (br or gzip) and a whole response body, return the body compressed."""
    if coding == "br":
        return brotli.compress(
            body, mode=brotli.MODE_TEXT, quality=LIVE_BROTLI_QUALITY, lgwin=LIVE_BROTLI_WINDOW
        )
    return gzip.compress(body, LIVE_GZIP_LEVEL, mtime=0)


class BrotliResponder(IdentityResponder):
    """Starlette's compressing responder with Brotli (the `brotli` library) as its codec."""

    content_encoding = "br"

    def __init__(self, app: ASGIApp, minimum_size: int) -> None:
        super().__init__(app, minimum_size)
        self.compressor: brotli.Compressor | None = None  # only for a body sent in parts

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        """Given a body chunk, return its Brotli bytes (the stream finished with the last chunk)."""
        if self.compressor is None:
            if not more_body:  # the whole body at once
                return packed("br", body)
            self.compressor = brotli.Compressor(
                mode=brotli.MODE_TEXT, quality=LIVE_BROTLI_QUALITY, lgwin=LIVE_BROTLI_WINDOW
            )
        out = self.compressor.process(body)
        return out + (self.compressor.flush() if more_body else self.compressor.finish())


class GzipResponder(GZipResponder):
    """Starlette's gzip responder, compressing a body that comes whole through the shared cache."""

    async def apply_compression(self, body: bytes, *, more_body: bool) -> bytes:
        """Given a body chunk, return its gzip bytes (the stream finished with the last chunk)."""
        if self._compressor is None and not more_body and len(body) < self.thread_minimum_size:
            return packed("gzip", body)
        return await super().apply_compression(body, more_body=more_body)


class Compression:
    """Compress responses made per request: Brotli when the client accepts it, else gzip, else none."""

    def __init__(self, app: ASGIApp, minimum_size: int = 500) -> None:
        self.app = app
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        codings = accepted(Headers(scope=scope))
        if "br" in codings:
            responder: ASGIApp = BrotliResponder(self.app, self.minimum_size)
        elif "gzip" in codings:
            responder = GzipResponder(self.app, self.minimum_size, compresslevel=LIVE_GZIP_LEVEL)
        else:  # nothing to compress, but a cache must still keep this apart from a compressed one
            await self.app(scope, receive, _varying(send))
            return
        await responder(scope, receive, send)


def _varying(send: Send) -> Send:
    """Given send, return it saying `Vary: Accept-Encoding` on every response that does not yet.

    Starlette's IdentityResponder does the same through its header classes; for the plain
    answers most API clients get, this is a few list operations instead.
    """

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers") or ())
            vary = [n for n, (k, _) in enumerate(headers) if k.lower() == b"vary"]
            if not vary:
                headers.append((b"vary", b"Accept-Encoding"))
            elif b"accept-encoding" not in headers[vary[0]][1].lower():
                headers[vary[0]] = (b"vary", headers[vary[0]][1] + b", Accept-Encoding")
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
