"""HTTP benchmark of `kb serve`: throughput and p50/p99 at 1, 8 and 32 connections, with wrk.

Runs a realistic query mix (the queries of tests/eval/queries.tsv) against /api/search, beside a
static file served by the same server as the ceiling, then search with analytics recording on
and off (interleaved runs, medians), and search at 32 connections with compression off, gzip and
Brotli on one server (`--only-compression`: just that). Needs Debian's `wrk` (apt-get install wrk).

`--against REF,REF` (default: a732ca4, main before issue 9, whose search issue 14 measured; and
882a7bf, main after issue 9, which already scored from cached postings) also serves each commit's
code on its own copy of its help center, beside this checkout's, and measures all in interleaved
rounds: every question new (phrasings never sent before, so no memo helps), repeated questions,
and /api/suggest over typing prefixes. It prints medians and ratios.

With --postgres, also recording to that PostgreSQL vs recording off at 32 connections (`auto`
starts a throwaway cluster with tests/postgres.py; --postgres-only runs just that comparison).

    python scripts/bench_http.py [--workers 2] [--seconds 10] [--rounds 3] [--against REF,REF] [--no-memo]
        [--postgres URL|auto] [--postgres-only] [--only-compression]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
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

from bench_faults import Server, copy_project, parse_wrk
from revision import extract

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "tests" / "eval" / "queries.tsv"
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
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


def wrk(
    url: str, paths: list[str], connections: int, seconds: int, headers: tuple[str, ...] = ()
) -> dict[str, float]:
    """Run wrk with the given request paths (and headers); return requests/s, p50/p99 in ms and error count."""
    return wrk_script(url, LUA % ", ".join(f'"{p}"' for p in paths), connections, seconds, headers)


# Every request a question never asked before: each thread walks its own half of a list of
# distinct phrasings (a question with a greeting before and a tail after, as shoppers write), and
# each round gets phrasings of its own, so no memo helps. Each request also comes from a made-up
# client (the server trusts 127.0.0.1 as its proxy), so the per-client budget measures nothing.
DISTINCT_LUA = """
local paths = {%s}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
local i = 0
request = function()
  local n = (i * 2 + id - 1) %% #paths + 1
  i = i + 1
  local ip = "10." .. math.random(0, 7) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", paths[n], {["X-Forwarded-For"] = ip})
end
"""
GREETINGS = (
    "",
    "请问",
    "你好，",
    "您好，",
    "麻烦问一下，",
    "客服你好，",
    "想问下",
    "咨询一下，",
    "hi ",
    "亲，",
)
TAILS = ("", "？", "呢", "啊", "吗？", "，谢谢", "，急", "。", "？？", "，在线等", "!", "，多谢")
TUNE = ROOT / "tests" / "eval" / "tune"  # blind-written questions (not the locked set)


def phrasings(questions: list[str], rounds: int, seed: int = 3) -> list[list[str]]:
    """Given questions, return for each round its own distinct search paths (greeting + question + tail)."""
    combos = [f"{g}{q}{t}" for q in questions for g in GREETINGS for t in TAILS]
    random.Random(seed).shuffle(combos)
    size = len(combos) // rounds
    return [
        [
            f"/api/search?{urllib.parse.urlencode({'q': q})}"
            for q in combos[r * size : (r + 1) * size]
        ]
        for r in range(rounds)
    ]


def wrk_script(
    url: str, script: str, connections: int, seconds: int, headers: tuple[str, ...] = ()
) -> dict[str, float]:
    """Run wrk with a Lua script (and headers); return requests/s, p50/p99 in ms and error count."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    done = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            *(arg for h in headers for arg in ("-H", h)),
            "-s",
            f.name,
            url,
        ],
        capture_output=True,
        text=True,
    )
    os.unlink(f.name)
    if done.returncode:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    numbers = parse_wrk(done.stdout)
    return {**numbers, "errors": numbers["non2xx"] + numbers["socket"]}


def typing_prefixes(questions: list[str]) -> list[str]:
    """Given questions, return every prefix a shopper types on the way to each."""
    return [q[:n] for q in questions for n in range(1, len(q) + 1)]


def warm_up(url: str, paths: list[str], most: int = 10) -> None:
    """Ask the questions until throughput settles: engines open, dictionaries loaded, repeats memoised."""
    last = 0.0
    for _ in range(most):
        rps = wrk(url, paths, 8, 3)["rps"]
        if last and abs(rps - last) <= 0.1 * last:
            return
        last = rps


def against(refs: list[str], questions: list[str], args: argparse.Namespace) -> None:
    """Serve each old commit's code and this checkout's side by side; print interleaved medians and ratios."""
    repeat_paths = [f"/api/search?{urllib.parse.urlencode({'q': q})}" for q in questions]
    distinct = phrasings(questions, args.rounds)
    suggest_paths = [
        f"/api/suggest?{urllib.parse.urlencode({'q': q})}" for q in typing_prefixes(questions)
    ]
    kinds = ("distinct", "memo", "suggest")
    labels = [*refs, "new"]
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        label: {k: [] for k in kinds} for label in labels
    }
    with contextlib.ExitStack() as stack:
        servers = {}
        for label in labels:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kb-http-")))
            code = ROOT if label == "new" else extract(label, tmp / "code")
            server = servers[label] = Server(
                code, copy_project(code, tmp / "project"), tmp / "a.sqlite3", args.workers
            )
            stack.callback(server.stop)
            warm_up(server.url, repeat_paths)
        for n in range(args.rounds):
            for label in labels if n % 2 == 0 else labels[::-1]:
                url, seconds = servers[label].url, args.seconds
                script = DISTINCT_LUA % ", ".join(f'"{p}"' for p in distinct[n])
                run = wrk_script(url, script, 32, seconds)
                if run["ok"] + run["non2xx"] > len(distinct[n]):
                    print(
                        f"  note: {label} asked some of round {n + 1}'s phrasings twice", flush=True
                    )
                runs[label]["distinct"].append(run)
                runs[label]["memo"].append(wrk(url, repeat_paths, 32, seconds))
                runs[label]["suggest"].append(wrk(url, suggest_paths, 32, seconds))
            print(f"  round {n + 1} of {args.rounds} done", flush=True)

    def median(label: str, kind: str) -> dict[str, float]:
        return {
            k: statistics.median(r[k] for r in runs[label][kind]) for k in ("rps", "p50", "p99")
        }

    names = {
        "distinct": "search, every query distinct",
        "memo": "search, repeated questions",
        "suggest": "suggest, typing prefixes",
    }
    for ref in refs:
        print(
            f"\n@{ref} (old) vs this checkout (new), {args.workers} workers, 32 connections, "
            f"{args.rounds} interleaved rounds of {args.seconds} s (medians)"
            f"{', memos off (KB_SEARCH_CACHE=0)' if args.no_memo else ''}:"
        )
        print(
            f"{'':>30} | {'old req/s':>9} {'p50':>7} {'p99':>7} | {'new req/s':>9} {'p50':>7} "
            f"{'p99':>7} | {'req/s ×':>7} {'p99 ×':>6} | errors old/new"
        )
        for kind in kinds:
            o, w = median(ref, kind), median("new", kind)
            errors = [
                f"{sum(r['non2xx'] for r in runs[label][kind]):.0f}+{sum(r['socket'] for r in runs[label][kind]):.0f}"
                for label in (ref, "new")
            ]
            print(
                f"{names[kind]:>30} | {o['rps']:>9.0f} {o['p50']:>7.2f} {o['p99']:>7.2f} "
                f"| {w['rps']:>9.0f} {w['p50']:>7.2f} {w['p99']:>7.2f} "
                f"| {w['rps'] / o['rps']:>7.2f} {w['p99'] / o['p99']:>6.2f} | {errors[0]} / {errors[1]}"
            )
    print(
        "  req/s × and p99 × are new / old; latencies in ms; errors: non-2xx + socket errors "
        "(wrk's 2 s timeouts)."
    )


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
        "--against",
        default="a732ca4,882a7bf",
        help="old commits served beside this checkout, comma-separated ('' skips; default: main "
        "before issue 9, whose search issue 14 measured, and main after issue 9)",
    )
    ap.add_argument("--only-against", action="store_true", help="skip the single-server tables")
    ap.add_argument(
        "--no-memo",
        action="store_true",
        help="every server computes every answer (KB_SEARCH_CACHE=0): measures computation alone, "
        "whatever the code memoises (by text or by meaning)",
    )
    ap.add_argument(
        "--only-compression",
        action="store_true",
        help="only search with compression off, gzip, Brotli",
    )
    ap.add_argument(
        "--postgres", help="postgresql://… to record into, or auto (a throwaway cluster)"
    )
    ap.add_argument("--postgres-only", action="store_true", help="only the PostgreSQL comparison")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    # wrk is one client: a per-client search budget would measure the limiter, not the search.
    os.environ["KB_SEARCH_PER_MINUTE"] = "1000000000"
    if args.no_memo:
        os.environ["KB_SEARCH_CACHE"] = "0"
    if args.against and not args.postgres_only and not args.only_compression:
        asked = queries(QUERIES) + [q for f in sorted(TUNE.glob("*.tsv")) for q in queries(f)]
        against([r for r in args.against.split(",") if r], asked, args)
    if args.only_against:
        return 0
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
        if args.only_compression:
            compression(args, search_paths, db)
            return 0
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
        compression(args, search_paths, db)
    if args.postgres:
        postgres_comparison(args, search_paths)
    return 0


def compare(args: argparse.Namespace, paths: list[str], on: str, title: str) -> None:
    """Print searches/s and p99 at 32 connections with recording into `on` vs off, interleaved."""
    print(f"\n{title}, search at 32 connections, {args.rounds} interleaved rounds (medians):")
    for label, cache in (("memo", True), ("computed", False)):
        runs: dict[bool, list[dict[str, float]]] = {True: [], False: []}
        # Both servers up and warm before the first round; the rounds alternate which goes first.
        servers = {recording: start(args.workers, recording, on, cache) for recording in runs}
        try:
            for _, url in servers.values():
                warm_up(url, paths)
            for n in range(args.rounds):
                for recording in (False, True) if n % 2 == 0 else (True, False):
                    runs[recording].append(wrk(servers[recording][1], paths, 32, args.seconds))
        finally:
            for proc, _ in servers.values():
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


ACCEPT = {"off": (), "gzip": ("Accept-Encoding: gzip",), "br": ("Accept-Encoding: br, gzip",)}


def compression(args: argparse.Namespace, search_paths: list[str], db: Path) -> None:
    """Print search throughput at 32 connections with compression off, gzip and Brotli, interleaved in
    one server: repeated questions (memoised, the default) and every question computed anew."""
    for mix, cache in (("repeated questions, memoised", True), ("every answer computed", False)):
        print(
            f"\nCompression, search at 32 connections, {mix}, {args.rounds} interleaved rounds "
            "(medians); off = no Accept-Encoding (plain JSON):"
        )
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in ACCEPT}
        proc, url = start(args.workers, False, db, cache=cache)
        try:
            warm_up(url, search_paths)  # not counted
            for _ in range(args.rounds):
                for label, headers in ACCEPT.items():
                    runs[label].append(wrk(url, search_paths, 32, args.seconds, headers))
        finally:
            proc.terminate()
            proc.wait()
        off = statistics.median(r["rps"] for r in runs["off"])
        for label in ACCEPT:
            rps = statistics.median(r["rps"] for r in runs[label])
            p99 = statistics.median(r["p99"] for r in runs[label])
            errors = sum(r["errors"] for r in runs[label])
            print(
                f"  {label:>4}: {rps:7.0f} req/s (p99 {p99:6.2f}) | vs off {rps / off:.3f} | errors {errors:.0f}"
            )


if __name__ == "__main__":
    sys.exit(main())
