"""HTTP/1.1 connections with limits: a request head has a size cap and a deadline, so no client holds a worker.

uvicorn's httptools protocol accepts a head of any size and keeps a connection that never finishes
its head (or never starts one) open forever; this subclass closes both.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


@dataclass(frozen=True)
class Limits:
    """How big a request head may be, and how long a connection may take to send one."""

    max_head_bytes: int = 16_384
    head_seconds: float = 10.0


class Connection(HttpToolsProtocol):
    """One client connection: httptools parsing, with a bounded request head and a head deadline."""

    limits = Limits()  # set per worker by `configure` before it serves

    @classmethod
    def configure(cls, limits: Limits) -> None:
        """Given the worker's limits, apply them to every connection it accepts from now on."""
        cls.limits = limits

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._reading_head = True
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def _arm(self) -> None:
        """Start the clock for the next request head: idle and slow connections both run out of time."""
        self._disarm()
        self._deadline = self.loop.call_later(self.limits.head_seconds, self._out_of_time)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _out_of_time(self) -> None:
        self._deadline = None
        if self._reading_head and not self.transport.is_closing():
            self._refuse(408, "请求发送得太慢，连接已关闭", "检查网络后重新发送")

    def _refuse(self, status: int, message: str, hint: str) -> None:
        """Answer with a JSON error outside the app (the request never reached it) and close."""
        body = json.dumps({"error": message, "hint": hint}, ensure_ascii=False).encode()
        reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncache-control: no-store\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (status, reason, len(body), body)
        )
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if (
            self._reading_head
            and self._head_bytes > self.limits.max_head_bytes
            and not self.transport.is_closing()
        ):
            self._refuse(
                431,
                "请求头太大",
                f"请求头（网址和各个头字段）合计不能超过 {self.limits.max_head_bytes} 字节",
            )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._head_bytes = 0
        self._disarm()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._reading_head = True
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
