"""The built site over HTTP: the files of the live release, the release resolved once per request.

Starlette's StaticFiles resolves its directory's realpath and the file's realpath separately, so a
page that exists can 404 while the `site` symlink moves between the two. Here the symlink is read
once when a request arrives, and the request is served from that release's folder to the end.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

RECENT_RELEASES = 4  # file servers kept for releases still being served (in-flight requests)


class ReleaseFiles:
    """An ASGI app serving the site folder a symlink points to, as it pointed when the request came."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._servers: OrderedDict[str, StaticFiles] = OrderedDict()

    def _server(self, folder: str) -> StaticFiles:
        """Given a resolved release folder, return its file server (one per recent release)."""
        server = self._servers.get(folder)
        if server is None:
            server = self._servers[folder] = StaticFiles(
                directory=folder, html=True, check_dir=False
            )
            while len(self._servers) > RECENT_RELEASES:
                self._servers.popitem(last=False)
        self._servers.move_to_end(folder)
        return server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if any(part.startswith(".") for part in scope["path"].split("/")):
            raise HTTPException(404)  # build stamps, editors' dotfiles: never part of the site
        folder = os.path.realpath(self.site_dir)  # the one resolution of this request
        await self._server(folder)(scope, receive, send)
