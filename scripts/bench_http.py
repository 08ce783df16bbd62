"""HTTP benchmark of `kb serve`: throughput and p50/p99 at 1, 8 and 32 connections, with wrk.

Runs a realistic query mix (the queries of tests/eval/queries.tsv) against /api/search, beside a
static file served by the same server as the ceiling, then search with analytics recording on
and off (interleaved runs, medians). Needs Debian's `wrk` (apt-get install wrk).

    python scripts/bench_http.py [--workers 2] [--seconds 10] [--rounds 3] [--postgres URL|auto]

With --postgres, also recording to that PostgreSQL vs recording off at 32 connections (`auto`
starts a throwaway cluster with tests/postgres.py; --postgres-only runs just that comparison).
Each request carries its own X-Forwarded-For (the server trusts 127.0.0.1 here), so the per-client
search budget measures nothing but itself.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench_faults import parse_wrk

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "eval" / "queries.tsv"
LUA = """
local paths = {%s}
local i = 0
local n = 0
request = function()
  i = i %% #paths + 1
  n = n + 1
  -- One made-up client per request: the per-client search budget stays out of the measurement.
  local client = "198.18." .. (math.floor(n / 250) %% 250) .. "." .. (n %% 250)
  return wrk.format("GET", paths[i], {["X-Forwarded-For"] = client})
end
"""


def queries(path: Path) -> list[str]:
    """Given a query file (query<TAB>ids), return its queries."""
    rows = (line.split("\t")[0] for line in path.read_text("utf-8").splitlines())
    return [q for q in rows if q and not q.startswith("#")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    workers: int, analytics: bool, db: Path | str, cache: bool = True
) -> tuple[subprocess.Popen, str]:
    """Start `kb serve` on a free port; return the process and its base URL once healthy."""
    port = free_port()
    env = {
        **os.environ,
        "KB_ANALYTICS": "1" if analytics else "0",
        "KB_ANALYTICS_DB": str(db),
        "KB_SEARCH_CACHE": "2048" if cache else "0",  # 0: every request computed anew
        "KB_TRUSTED_PROXIES": "127.0.0.1",  # wrk's made-up X-Forwarded-For clients
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search.cli",
            "--root",
            str(ROOT),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("kb serve did not start")


def wrk(url: str, paths: list[str], connections: int, seconds: int) -> dict[str, float]:
    """Run wrk with the given request paths; return requests/s, p50/p99 in ms and error count."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % ", ".join(f'"{p}"' for p in paths))
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)
    numbers = parse_wrk(out)
    return {**numbers, "errors": numbers["non2xx"] + numbers["socket"]}


def main() -> int:
    """Run the benchmark and print its tables."""
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3, help="runs per analytics setting (medians)")
    ap.add_argument("--connections", default="1,8,32")
    ap.add_argument(
        "--postgres", help="postgresql://… to record into, or auto (a throwaway cluster)"
    )
    ap.add_argument("--postgres-only", action="store_true", help="only the PostgreSQL comparison")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    conns = [int(c) for c in args.connections.split(",")]
    search_paths = [f"/api/search?{urllib.parse.urlencode({'q': q})}" for q in queries(QUERIES)]
    static_paths = ["/assets/help.css"]
    subprocess.run(
        [sys.executable, "-m", "search.cli", "--root", str(ROOT), "build"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [sys.executable, "-m", "search.cli", "--root", str(ROOT), "index"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(
        f"kb serve --workers {args.workers}; {len(search_paths)} distinct queries; wrk {args.seconds}s per run; "
        f"{os.cpu_count()} CPUs shared by server and wrk\n"
    )
    if args.postgres_only:
        return postgres_comparison(args, search_paths)
    with tempfile.TemporaryDirectory() as analytics_dir:
        db = Path(analytics_dir) / "a.sqlite3"
        rows: dict[int, dict[str, dict[str, float]]] = {c: {} for c in conns}
        for label, cache in (("memo", True), ("computed", False)):
            proc, url = start(args.workers, True, db, cache=cache)
            try:
                for c in conns:
                    if cache:
                        rows[c]["static"] = wrk(url, static_paths, c, args.seconds)
                    rows[c][label] = wrk(url, search_paths, c, args.seconds)
            finally:
                proc.terminate()
                proc.wait()
        print(
            "static = a CSS file from the same server (the ceiling); search = /api/search over the mix:"
        )
        print(
            "  memo = answers memoised per index generation (the default); computed = KB_SEARCH_CACHE=0,"
        )
        print("  every request analysed, searched and highlighted anew. Latencies in ms.\n")
        print(
            f"{'conns':>5} | {'static req/s':>12} {'p50':>6} {'p99':>6} | {'memo req/s':>10} {'p50':>6} "
            f"{'p99':>6} | {'computed req/s':>14} {'p50':>6} {'p99':>6} | errors"
        )
        for c in conns:
            st, m, cp = rows[c]["static"], rows[c]["memo"], rows[c]["computed"]
            errors = st["errors"] + m["errors"] + cp["errors"]
            print(
                f"{c:>5} | {st['rps']:>12.0f} {st['p50']:>6.2f} {st['p99']:>6.2f} | {m['rps']:>10.0f} "
                f"{m['p50']:>6.2f} {m['p99']:>6.2f} | {cp['rps']:>14.0f} {cp['p50']:>6.2f} {cp['p99']:>6.2f} "
                f"| {errors:.0f}"
            )

        compare(args, search_paths, db, "Analytics recording (SQLite) on vs off")
    if args.postgres:
        postgres_comparison(args, search_paths)
    return 0


def compare(args: argparse.Namespace, paths: list[str], on: str, title: str) -> None:
    """Print searches/s and p99 at 32 connections with recording into `on` vs off, interleaved."""
    print(f"\n{title}, search at 32 connections, {args.rounds} interleaved rounds (medians):")
    for label, cache in (("memo", True), ("computed", False)):
        runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
        for _ in range(args.rounds):
            for recording in (False, True):
                proc, url = start(args.workers, recording, on, cache=cache)
                try:
                    runs[recording].append(wrk(url, paths, 32, args.seconds))
                finally:
                    proc.terminate()
                    proc.wait()
        rps = {k: statistics.median(r["rps"] for r in v) for k, v in runs.items()}
        p99 = {k: statistics.median(r["p99"] for r in v) for k, v in runs.items()}
        errors = sum(r["errors"] for rs in runs.values() for r in rs)
        print(
            f"  {label:>8}: off {rps[False]:7.0f} req/s (p99 {p99[False]:6.2f}) | on {rps[True]:7.0f} req/s "
            f"(p99 {p99[True]:6.2f}) | on/off {rps[True] / rps[False]:.3f} | errors {errors:.0f}"
        )


def postgres_comparison(args: argparse.Namespace, paths: list[str]) -> int:
    """Compare recording into PostgreSQL with recording off (a throwaway cluster for `auto`)."""
    sys.path.insert(0, str(ROOT))
    from tests import postgres

    folder = None
    url = args.postgres
    if url in (None, "auto"):
        folder = Path(tempfile.mkdtemp(prefix="kb-bench-pg-"))
        url = postgres.start(folder)
    try:
        compare(args, paths, url, "Recording to PostgreSQL on vs off")
        print(f"  events stored: {stored(url)}")
    finally:
        if folder:
            postgres.stop(folder, "immediate")
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def stored(url: str) -> int:
    """Given the PostgreSQL URL, return how many searches it holds (proof the runs recorded)."""
    import psycopg

    with psycopg.connect(url) as c:
        return c.execute("SELECT count(*) FROM searches").fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
