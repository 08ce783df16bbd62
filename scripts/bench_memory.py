#!/usr/bin/env python3
"""Memory of a long-lived search process: RSS before and after many distinct queries.

Usage: scripts/bench_memory.py [--queries 50000]
Runs distinct queries of the shapes that once grew a worker without bound (new words every time,
CJK Extension-B characters, long pasted messages, latin garbage) through one Engine and prints
RSS growth, with the caches' sizes, every 10,000 queries.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", module="jieba")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.engine import Engine  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.settings import load_settings  # noqa: E402


def rss_mb() -> float:
    """Return this process's resident set size in MB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def distinct_queries(n: int, seed: int = 1) -> list[str]:
    """Given a count, return that many distinct queries of the shapes that stress caches."""
    rng = random.Random(seed)
    common = "退货运费取消订单身份证清关退款到账包装上门取件"
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:  # a new rare word each time
            word = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(3))
            out.append(f"{word}{common[rng.randrange(0, 20, 2) :][:4]}怎么办{i}")
        elif kind == 1:  # CJK Extension B characters
            out.append("".join(chr(rng.randint(0x20000, 0x2A6DF)) for _ in range(40)) + f"{i}")
        elif kind == 2:  # a long pasted message
            out.append(
                ("我的订单退货运费谁出，" * 40)[:900]
                + "".join(rng.choices("一二三四五六七八九十", k=20))
            )
        else:  # latin garbage that looks like pinyin with typos
            out.append(
                " ".join("".join(rng.choices("aeiouqwrtzsdfghjklmnb", k=9)) for _ in range(6))
            )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=int, default=50_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-mem-") as tmp:
        os.environ["KB_INDEX_DIR"] = tmp
        settings = load_settings(ROOT)
        build_index(settings, full=True)
        with Engine(settings) as engine:
            engine.warm(english=True)
            for q in distinct_queries(200, seed=2):
                engine.search(q)  # warm every code path once
            start = rss_mb()
            print(f"start: RSS {start:.0f} MB")
            for n, q in enumerate(distinct_queries(args.queries), 1):
                engine.search(q)
                if n % 10_000 == 0 or n == args.queries:
                    print(
                        f"after {n:>6} queries: RSS {rss_mb():.0f} MB (+{rss_mb() - start:.1f} MB)",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
