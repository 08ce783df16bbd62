"""Search analytics: searches, clicks and answer feedback, recorded off the request path; `kb report`."""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .contracts import Report
from .eventstore import connect
from .eventwriter import RECORD_BYTES
from .redaction import redact

log = logging.getLogger("kb.analytics")

REASONS = ("信息不全", "看不懂", "和我的情况不符", "其他")
QUEUE_BYTES = 4 << 20  # asked of the kernel for the queue; it may grant less


def clean_query(query: str) -> str:
    """Given a raw query, return it redacted, whitespace-collapsed and cut to 1,000 characters."""
    return " ".join(redact(query).split())[:1000]


class Recorder:
    """Hands events to an analytics writer process through a bounded queue; never blocks a request.

    The queue is a Unix socket pair: `search()`, `click()` and `feedback()` each send one record
    without waiting, and return False (counting it in `dropped`) when the queue is full. An event
    handed over is kept by the kernel until the writer reads it, so it outlives this process. The
    writer is restarted when it dies (whatever killed it), reading on where it stopped.
    """

    def __init__(self, store: str | Path, restart_after: float = 1.0) -> None:
        self.store = store if isinstance(store, str) else f"sqlite:{store}"
        self.restart_after = restart_after
        self.acknowledged = 0  # events handed to the queue
        self.dropped = 0  # events refused (queue full) or dropped by the writer
        self.written = self.skipped = 0  # as the writer last reported
        self.restarts = 0
        self._sock, self._queue_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with contextlib.suppress(OSError):  # a deeper queue where the system allows it
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, QUEUE_BYTES)
        self._sock.setblocking(False)
        self._lock = threading.Lock()
        self._flushes = itertools.count(1)
        self._closing = False
        self._writer_dropped = 0
        self._process = self._spawn()
        self._watcher = threading.Thread(target=self._watch, name="kb-analytics", daemon=True)
        self._watcher.start()

    @property
    def writer_pid(self) -> int:
        """The process id of the current writer."""
        return self._process.pid

    def _spawn(self) -> subprocess.Popen[bytes]:
        fd = self._queue_end.fileno()
        return subprocess.Popen(
            [sys.executable, "-m", "search.eventwriter", str(fd), self.store],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
            cwd=Path(__file__)
            .resolve()
            .parent.parent,  # this checkout's `search`, whatever the cwd
        )

    def _watch(self) -> None:
        """Restart the writer whenever it dies before it was asked to close."""
        backoff = self.restart_after
        while True:
            started = time.monotonic()
            code = self._process.wait()
            if self._closing:
                return
            cause = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
            log.warning("analytics: writer %d died (%s); restarting it", self._process.pid, cause)
            if time.monotonic() - started > 60:
                backoff = self.restart_after  # it had been healthy: no penalty
            time.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
            if self._closing:
                return
            self._process = self._spawn()
            self.restarts += 1

    def _send(self, record: dict[str, Any]) -> bool:
        try:
            self._sock.send(json.dumps(record).encode())  # ASCII: half an emoji travels escaped
        except OSError:  # BlockingIOError: the queue is full
            self.dropped += 1
            return False
        self.acknowledged += 1
        return True

    def search(self, query: str, total: int, top_id: str | None, took_ms: float) -> bool:
        """Record one search (the query redacted first); return whether the queue took it."""
        row = (time.time(), clean_query(query), total, top_id, round(took_ms, 2))
        return self._send({"event": "searches", "row": row})

    def click(self, query: str, fid: str, rank: int | None) -> bool:
        """Record one click on a result (the query redacted first); return whether the queue took it."""
        return self._send({"event": "clicks", "row": (time.time(), clean_query(query), fid, rank)})

    def feedback(self, fid: str, helpful: bool, reason: str | None) -> bool:
        """Record one 有帮助/没帮助 vote: the answer, the vote and a fixed reason, nothing about who."""
        return self._send({"event": "feedback", "row": (time.time(), fid, int(helpful), reason)})

    def flush(self, timeout: float = 10.0) -> bool:
        """Block until everything recorded so far is written or dropped; return False on timeout."""
        with self._lock:
            n = next(self._flushes)
            deadline = time.monotonic() + timeout
            while not self._control({"op": "flush", "n": n}):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.01)
            while (left := deadline - time.monotonic()) > 0:
                ready, _, _ = select.select([self._sock], [], [], left)
                if not ready:
                    break
                try:
                    reply = json.loads(self._sock.recv(RECORD_BYTES))
                except (BlockingIOError, ValueError):
                    continue
                if reply.get("flushed") == n:
                    self.written, self.skipped = reply["written"], reply["skipped"]
                    self.dropped += reply["dropped"] - self._writer_dropped
                    self._writer_dropped = reply["dropped"]
                    return True
            return False

    def _control(self, record: dict[str, Any]) -> bool:
        try:
            self._sock.send(json.dumps(record).encode())
            return True
        except OSError:
            return False

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, then stop the writer."""
        self.flush(timeout)
        self._closing = True
        self._control({"op": "close"})
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._watcher.join(timeout)
        self._sock.close()
        self._queue_end.close()


def _rows(db: sqlite3.Connection, sql: str, *params: Any) -> list[dict[str, Any]]:
    cur = db.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def report(path: Path, days: int = 30, top: int = 20, now: float | None = None) -> Report:
    """Given the analytics database, return the report of the last `days` days."""
    since = (now or time.time()) - days * 86400
    if not path.exists():
        return _empty_report(days)
    db = connect(path, timeout=2.0)
    try:
        total = db.execute("SELECT count(*) FROM searches WHERE ts >= ?", (since,)).fetchone()[0]
        feedback = _rows(
            db,
            "SELECT id, sum(helpful) AS helpful, sum(1 - helpful) AS not_helpful FROM feedback "
            "WHERE ts >= ? GROUP BY id ORDER BY not_helpful DESC, id LIMIT ?",
            since,
            top,
        )
        for row in feedback:
            row["reasons"] = {
                r["reason"]: r["n"]
                for r in _rows(
                    db,
                    "SELECT reason, count(*) AS n FROM feedback WHERE ts >= ? AND id = ? "
                    "AND helpful = 0 AND reason IS NOT NULL GROUP BY reason ORDER BY n DESC",
                    since,
                    row["id"],
                )
            }
        return {  # type: ignore[typeddict-item]  # rows are the SELECTs' columns, as Report names them
            "days": days,
            "searches": total,
            "top_queries": _rows(
                db,
                "SELECT query, count(*) AS count, max(total) AS results FROM searches "
                "WHERE ts >= ? GROUP BY query ORDER BY count DESC, query LIMIT ?",
                since,
                top,
            ),
            "zero_result_queries": _rows(
                db,
                "SELECT query, count(*) AS count FROM searches WHERE ts >= ? AND total = 0 "
                "GROUP BY query ORDER BY count DESC, query LIMIT ?",
                since,
                top,
            ),
            "unclicked_queries": _rows(
                db,
                "SELECT s.query, count(*) AS count, max(s.top_id) AS top_id FROM searches s "
                "WHERE s.ts >= ?1 AND s.total > 0 AND NOT EXISTS "
                "(SELECT 1 FROM clicks c WHERE c.query = s.query AND c.ts >= ?1) "
                "GROUP BY s.query ORDER BY count DESC, s.query LIMIT ?2",
                since,
                top,
            ),
            "most_read": _rows(
                db,
                "SELECT id, count(*) AS clicks FROM clicks WHERE ts >= ? "
                "GROUP BY id ORDER BY clicks DESC, id LIMIT ?",
                since,
                top,
            ),
            "feedback": feedback,
        }
    finally:
        db.close()


def _empty_report(days: int) -> Report:
    return Report(
        days=days,
        searches=0,
        top_queries=[],
        zero_result_queries=[],
        unclicked_queries=[],
        most_read=[],
        feedback=[],
    )
