"""The built site over HTTP: the files of the live release, the release resolved once per request.

Starlette's StaticFiles resolves its directory's realpath and the file's realpath separately, so a
page that exists can 404 while the `site` symlink moves between the two. Here the symlink is read
once when a request arrives, and the request is served from that release's folder to the end.
Pages get a Content-Security-Policy that allows exactly the release's own inline scripts (by
hash); fingerprinted files are cached for good, everything else is revalidated.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections import OrderedDict
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from .assets import FINGERPRINTED
from .compression import CompressedFiles
from .middleware import is_api

RECENT_RELEASES = 4  # file servers kept for releases still being served (in-flight requests)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)
_DATA_BLOCK = re.compile(r"""\btype=["']?(?!module|text/javascript)[a-z]""")
IMMUTABLE = b"public, max-age=31536000, immutable"


def page_policy(site: Path) -> str:
    """Given a built site folder, return the Content-Security-Policy for its pages.

    Scripts: the site's own files, and inline scripts only when they are byte for byte the
    ones the build wrote (their hashes, over every page: instant navigation runs another page's
    inline scripts under the first page's policy).
    """
    hashes = set()
    for page in site.rglob("*.html"):
        for attrs, body in _INLINE_SCRIPT.findall(page.read_text("utf-8", "replace")):
            if not _DATA_BLOCK.search(attrs):  # JSON data blocks (Material's config) never run
                digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
                hashes.add(f"'sha256-{digest}'")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' " + " ".join(sorted(hashes)),
            "style-src 'self' 'unsafe-inline'",  # Material sets style attributes
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ReleaseFiles:
    """An ASGI app serving the site folder a symlink points to, as it pointed when the request came."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._servers: OrderedDict[str, tuple[CompressedFiles, bytes]] = OrderedDict()

    def _server(self, folder: str) -> tuple[CompressedFiles, bytes]:
        """Given a resolved release folder, return its file server and page policy (kept for recent releases)."""
        found = self._servers.get(folder)
        if found is None:
            server = CompressedFiles(directory=folder, html=True, check_dir=False)
            found = self._servers[folder] = (server, page_policy(Path(folder)).encode())
            while len(self._servers) > RECENT_RELEASES:
                self._servers.popitem(last=False)
        self._servers.move_to_end(folder)
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if any(part.startswith(".") for part in scope["path"].split("/")):
            raise HTTPException(404)  # build stamps, editors' dotfiles: never part of the site
        if is_api(scope["path"]):  # //api/…, /API/…: the API's JSON 404, not the site's page
            raise HTTPException(404)
        folder = os.path.realpath(self.site_dir)  # the one resolution of this request
        server, policy = self._server(folder)
        cache = IMMUTABLE if FINGERPRINTED.search(scope["path"]) else b"no-cache"

        async def headed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"cache-control", cache),
                    (b"content-security-policy", policy),
                ]
            await send(message)

        await server(scope, receive, headed)
