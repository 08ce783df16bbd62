"""Load with faults: `kb serve` under 32 connections of searches while things go wrong, phase by phase.

Each phase runs wrk for --seconds (32 connections of realistic searches, each request from one of
2,000 client addresses through a trusted proxy header) while a click stream posts events, and:

  baseline     nothing else happens
  publish      `kb publish` runs twice (a page edited before each)
  kill-worker  one worker process is killed (SIGKILL); uvicorn starts another
  unwritable   the analytics file, its -wal and -shm are made immutable (chattr +i; root)
  worst-case   10 unique 1,000-character queries a second arrive (from 10 clients)

For each phase it prints the normal searches' p50/p99 and rate, errors (non-2xx, and socket
errors: connections cut), deliberate 4xx (refused worst-case queries), and events acknowledged
vs stored: searches answered vs search rows written, clicks answered 202 vs click rows written.

`--before REV` serves another revision's code too (e.g. main) and runs each phase on both, one
after the other, so that both see the same machine (it is shared and noisy). Each server is
warmed up first (a run not reported). Needs Debian's `wrk`; the unwritable phase needs root.

    python scripts/bench_faults.py [--seconds 20] [--workers 2] [--before main]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from revision import extract

ROOT = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("mkdocs.yml", "pyproject.toml", "docs", "overrides", "scripts", "search/data")
PHASES = ("baseline", "publish", "kill-worker", "unwritable", "worst-case")
LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  local ip = "10." .. math.random(0, 7) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  return wrk.format("GET", paths[i], {["X-Forwarded-For"] = ip})
end
"""


def questions(docs: Path) -> list[str]:
    """Given docs/, return realistic shopper searches: each FAQ question, shortened and reworded."""
    titles = []
    for page in sorted(docs.rglob("*.md")):
        for line in page.read_text("utf-8").splitlines():
            if line.startswith("## "):
                titles.append(re.sub(r"\s*\{.*\}\s*$", "", line[3:]).strip("？? "))
    out = []
    for t in titles:
        out += [t, t[: max(2, len(t) // 2)], f"请问{t}", f"{t}怎么办", t.replace("订单", "单子")]
    return [*sorted(set(out)), "今天天气怎么样", "ebay 开店", "tuihuo", "qingguan"]


def worst_cases(docs: Path, count: int, seed: int = 7) -> list[str]:
    """Return unique 1,000-character queries of the help center's own characters (no cache helps)."""
    text = "".join(p.read_text("utf-8") for p in sorted(docs.rglob("*.md")))
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    rng = random.Random(seed)
    return ["".join(rng.choice(chars) for _ in range(1000)) for _ in range(count)]


def copy_project(code: Path, dest: Path) -> Path:
    """Given a checkout, copy what the help center is built from into dest; return dest."""
    for name in PROJECT_FILES:
        src = code / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`kb serve` of a given checkout's code on a copy of its help center."""

    def __init__(self, code: Path, project: Path, db: Path, workers: int) -> None:
        self.code, self.project, self.db = code, project, db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(code),  # this checkout's `search`, not the installed one
            "KB_ANALYTICS_DB": str(db),
            "KB_TRUSTED_PROXIES": "127.0.0.1",  # the benchmark plays the proxy (X-Forwarded-For)
            "FORWARDED_ALLOW_IPS": "127.0.0.1",  # the same, for code that predates the setting
            "NO_MKDOCS_2_WARNING": "1",
        }
        self.log = open(project / "serve.log", "wb")  # noqa: SIM115 - closed in stop()
        self.kb(["serve", "--port", str(self.port), "--workers", str(workers)], wait=False)
        for _ in range(1200):
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/api/health", timeout=1),
            ):
                return
            time.sleep(0.1)
        raise SystemExit(f"kb serve did not start: {(project / 'serve.log').read_text()[-2000:]}")

    def kb(self, args: list[str], wait: bool = True) -> subprocess.Popen | None:
        cmd = [sys.executable, "-m", "search.cli", "--root", str(self.project), *args]
        if wait:
            subprocess.run(cmd, env=self.env, cwd=self.code, check=True, capture_output=True)
            return None
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=self.code, stdout=self.log, stderr=self.log
        )
        return self.proc

    def workers(self) -> list[int]:
        """Return the pids of the uvicorn worker processes (children of the server)."""
        pids = []
        for proc in Path("/proc").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == self.proc.pid and b"spawn_main" in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
        return pids

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def wrk(url: str, paths: list[str], seconds: int) -> dict[str, float]:
    """Run wrk with 32 connections over the paths; return rate, p50/p99 (ms), 2xx and error counts."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA % ", ".join(json.dumps(p) for p in paths))
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", f.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(f.name)
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    """Given wrk's --latency output, return req/s, p50/p99 in ms, 2xx count, non-2xx and socket errors."""

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "ok": total - non2xx,
        "non2xx": non2xx,
        "socket": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }


def post(url: str, body: dict, client: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": client},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def get(url: str, client: str) -> int:
    try:
        request = urllib.request.Request(url, headers={"X-Forwarded-For": client})
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def stored(db: Path) -> tuple[int, int]:
    """Return (search rows, click rows) once the writers have settled (no change for a second)."""
    last, same = None, 0
    for _ in range(40):
        try:
            with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
                now = tuple(
                    conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("searches", "clicks")
                )
        except sqlite3.Error:
            now = None
        same = same + 1 if now == last and now is not None else 0
        if same >= 4:
            return now
        last = now
        time.sleep(0.25)
    return last or (0, 0)


def chattr(flag: str, db: Path) -> bool:
    files = [str(p) for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]
    return (
        bool(files)
        and subprocess.run(["chattr", flag, *files], capture_output=True).returncode == 0
    )


def run_phase(
    server: Server, phase: str, paths: list[str], seconds: int, rng: random.Random
) -> dict:
    """Run one phase; return its numbers."""
    before = stored(server.db)
    stop = threading.Event()
    clicks = {"acked": 0, "refused": 0}
    worst = {"ok": 0, "4xx": 0, "other": 0}
    ids = ["cancel-fee", "return-apply", "refund-bank", "customs-id", "return-pickup"]

    def click_stream() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            code = post(
                f"{server.url}/api/click",
                {"query": f"退货问题{n}", "id": rng.choice(ids), "rank": 1},
                f"10.9.{n % 200}.{n % 250 + 1}",
            )
            clicks["acked" if code == 202 else "refused"] += 1
            time.sleep(0.05)

    def worst_stream(pool: ThreadPoolExecutor) -> None:
        queries = worst_cases(server.project / "docs", seconds * 10 + 50)
        n = 0
        while not stop.is_set() and n < len(queries):
            url = f"{server.url}/api/search?{urllib.parse.urlencode({'q': queries[n]})}"
            pool.submit(lambda url=url, n=n: tally(get(url, f"10.99.0.{n % 10 + 1}")))
            n += 1
            time.sleep(0.1)

    def tally(code: int) -> None:
        worst["ok" if code == 200 else "4xx" if 400 <= code < 500 else "other"] += 1

    def fault() -> str:
        if phase == "publish":
            notes = []
            for at in (seconds * 0.15, seconds * 0.5):
                time.sleep(max(0, at - (time.monotonic() - started)))
                page = server.project / "docs" / "refund.md"
                page.write_text(page.read_text("utf-8") + f"\n补充说明 {time.time()}。\n", "utf-8")
                t0 = time.monotonic()
                server.kb(["publish"])
                notes.append(f"{time.monotonic() - t0:.1f}s")
            return "published twice (" + ", ".join(notes) + ")"
        if phase == "kill-worker":
            time.sleep(seconds * 0.25)
            victims = server.workers()
            if not victims:
                return "no worker found"
            os.kill(victims[0], signal.SIGKILL)
            return f"killed worker {victims[0]}"
        if phase == "unwritable":
            time.sleep(seconds * 0.15)
            return (
                "analytics file immutable"
                if chattr("+i", server.db)
                else "chattr failed (not root?)"
            )
        return ""

    started = time.monotonic()
    threads = [threading.Thread(target=click_stream)]
    pool = ThreadPoolExecutor(max_workers=64)
    if phase == "worst-case":
        threads.append(threading.Thread(target=worst_stream, args=(pool,)))
    for t in threads:
        t.start()
    note: list[str] = []
    faulter = threading.Thread(target=lambda: note.append(fault()))
    faulter.start()
    numbers = wrk(server.url, paths, seconds)
    stop.set()
    for t in [*threads, faulter]:
        t.join()
    pool.shutdown(wait=True)
    if phase == "unwritable":
        chattr("-i", server.db)
    after = stored(server.db)
    return {
        **numbers,
        "note": note[0] if note else "",
        "clicks": clicks,
        "worst": worst,
        "searches_answered": numbers["ok"] + worst["ok"],
        "searches_stored": after[0] - before[0],
        "clicks_stored": after[1] - before[1],
    }


def bench(codes: dict[str, Path], seconds: int, workers: int, phases: list[str]) -> dict:
    """Serve each checkout's code on a fresh copy of its help center; run every phase on each in turn."""
    rng = random.Random(1)
    results: dict[str, dict] = {label: {} for label in codes}
    with contextlib.ExitStack() as stack:
        servers, paths = {}, {}
        for label, code in codes.items():
            tmp = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix=f"kb-faults-{label}-"))
            )
            project = copy_project(code, tmp / "project")
            paths[label] = [
                f"/api/search?{urllib.parse.urlencode({'q': q})}"
                for q in questions(project / "docs")
            ]
            server = servers[label] = Server(code, project, tmp / "analytics.sqlite3", workers)
            stack.callback(server.stop)
            stack.callback(chattr, "-i", server.db)
            wrk(server.url, paths[label], max(5, seconds // 2))  # warm-up: answers computed once
        for phase in phases:
            for label, server in servers.items():
                results[label][phase] = run_phase(server, phase, paths[label], seconds, rng)
                print(
                    f"  {label}: {phase} done ({results[label][phase]['note'] or 'no fault'})",
                    flush=True,
                )
    return results


def table(label: str, results: dict) -> None:
    print(f"\n{label}")
    print(
        f"{'phase':<12} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>8} {'non-2xx':>7} {'socket':>6} "
        f"{'worst ok/4xx/err':>16} {'searches answered/stored':>25} {'clicks acked/stored':>20}  fault"
    )
    for phase, r in results.items():
        worst = (
            f"{r['worst']['ok']}/{r['worst']['4xx']}/{r['worst']['other']}"
            if phase == "worst-case"
            else "-"
        )
        print(
            f"{phase:<12} {r['rps']:>7.0f} {r['p50']:>7.2f} {r['p99']:>8.2f} {r['non2xx']:>7} {r['socket']:>6} "
            f"{worst:>16} {r['searches_answered']:>12}/{r['searches_stored']:<12} "
            f"{r['clicks']['acked']:>9}/{r['clicks_stored']:<10}  {r['note']}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=int, default=20, help="length of each phase (default 20)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--before", help="also run the phases on this git revision's code first (e.g. main)"
    )
    ap.add_argument("--phases", default=",".join(PHASES))
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    phases = [p for p in args.phases.split(",") if p]
    print(
        f"kb serve --workers {args.workers}; wrk 32 connections x {args.seconds}s per phase; "
        f"{os.cpu_count()} CPUs shared by server, wrk and the fault threads",
        flush=True,
    )
    codes = {"after": ROOT}
    with tempfile.TemporaryDirectory(prefix="kb-before-") as old:
        if args.before:
            codes = {"before": extract(args.before, old), **codes}
        results = bench(codes, args.seconds, args.workers, phases)
    for label in codes:
        name = f"before ({args.before})" if label == "before" else "after (this checkout)"
        table(name, results[label])
    print(
        "\nnon-2xx: failed normal searches. socket: connections cut (the killed worker's, or timeouts)."
        "\nworst ok/4xx/err: worst-case queries answered, refused on purpose (400/429), failed."
        "\nStored counts are rows added to the analytics file during the phase; they equal the"
        "\nacknowledged counts wherever the file was writable (searches stored may exceed those"
        "\nanswered by up to 32: requests in flight when wrk stops are answered after it stopped)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
