"""The analytics writer process: reads events from its queue and writes them to the store in batches.

It runs apart from the worker that answers requests, so whatever the store does to it (an
exception, a SIGBUS from a file made immutable under SQLite's mapped memory) cannot take
search down. Its queue is a Unix SEQPACKET socket that the worker also holds open: an event
the worker has handed over survives the worker being killed, and survives this process
dying too, apart from the batch it was writing.

    python -m search.eventwriter FD STORE_URL [KEEP_DAYS]
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import socket
import sys
import time
from typing import Any

from .eventstore import Event, Store, StoreUnavailable, open_store

log = logging.getLogger("kb.analytics")

RECORD_BYTES = 65_536  # larger than any record (a 1,000-character query, JSON-escaped)
BATCH = 500
# After the first event of a quiet spell, wait this long for more: under load that makes one
# transaction per batch instead of one per event (on PostgreSQL each is a round trip and a commit
# on a server that shares the machine), at the cost of events landing a moment later.
LINGER = 0.1
PRUNE_EVERY = 6 * 3600  # seconds between roll-ups of events past the kept period
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class Writer:
    """Applies queue records to a store: events in batches, then flush and close requests in order."""

    def __init__(self, store: Store, sock: socket.socket, keep_days: int = 180) -> None:
        self.store, self.sock, self.keep_days = store, sock, keep_days
        self._pruned = 0.0
        self.counts = {"written": 0, "skipped": 0, "dropped": 0}
        self._trouble = ""  # why the last batch was dropped (logged once per new reason)

    def run(self) -> None:
        """Serve the queue until the worker asks to close or goes away."""
        full = False
        while True:
            first = self.sock.recv(RECORD_BYTES)
            if not first:  # every holder of the other end is gone: nothing more can arrive
                return
            if not full and b'"op"' not in first:  # a flush or close is answered at once
                time.sleep(LINGER)
            records = [first]
            while len(records) < BATCH:
                try:
                    records.append(self.sock.recv(RECORD_BYTES, socket.MSG_DONTWAIT))
                except BlockingIOError:
                    break
            full = len(records) == BATCH  # more is waiting: no need to linger
            if not self._apply(records):
                return
            if time.monotonic() - self._pruned > PRUNE_EVERY or not self._pruned:
                self._prune()

    def _prune(self) -> None:
        """Apply retention now and then; a store that cannot is asked again next time."""
        self._pruned = time.monotonic()
        try:
            removed = self.store.prune(self.keep_days)
        except Exception as e:
            log.warning("analytics: retention skipped (%s)", type(e).__name__)
            return
        if removed:
            log.info("analytics: %d events older than %d days rolled up", removed, self.keep_days)

    def _apply(self, records: list[bytes]) -> bool:
        """Given queue records, write their events and answer their requests; False after a close."""
        batch: list[Event] = []
        for raw in records:
            try:
                record = json.loads(raw)
            except ValueError:
                self.counts["skipped"] += 1
                continue
            if "event" in record:
                batch.append((str(record["event"]), tuple(record.get("row") or ())))
                continue
            self._write(batch)
            batch = []
            if record.get("op") == "close":
                return False
            if record.get("op") == "flush":
                self._reply({"flushed": record.get("n"), **self.counts})
        self._write(batch)
        return True

    def _write(self, batch: list[Event]) -> None:
        if not batch:
            return
        try:
            skipped = self.store.write(batch)
        except StoreUnavailable as e:
            self.counts["dropped"] += len(batch)
            reason = str(e)
            if reason != self._trouble:
                log.warning("analytics: dropped %d events (%s)", len(batch), reason)
            self._trouble = reason
            return
        except Exception as e:  # never let one batch end the writer
            self.counts["dropped"] += len(batch)
            log.exception("analytics: dropped %d events (%s)", len(batch), type(e).__name__)
            return
        if self._trouble:
            log.warning("analytics: the store is writable again")
            self._trouble = ""
        self.counts["skipped"] += skipped
        self.counts["written"] += len(batch) - skipped

    def _reply(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the worker is gone: nobody will read the answer
            self.sock.send(json.dumps(message).encode())


def main(argv: list[str] | None = None) -> int:
    """Run the writer on the queue socket fd with the store URL given on the command line."""
    args = argv if argv is not None else sys.argv[1:]
    fd, url = args[:2]
    keep_days = int(args[2]) if len(args) > 2 else 180
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # each start would log every check
    # Ctrl-C reaches the whole process group; the writer finishes when its worker goes away.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(fd))
    sock.setblocking(True)
    store = open_store(url)
    started = time.monotonic()
    try:
        Writer(store, sock, keep_days).run()
    finally:
        store.close()
    log.debug("analytics writer done after %.0f s", time.monotonic() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
