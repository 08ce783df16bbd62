#!/usr/bin/env python3
"""Print R@1, R@3, MRR@10 and the out-of-domain empty rate of this search and the naive baseline.

Usage: scripts/eval_search.py QUERIES.tsv [--misses]
Indexes the checkout's docs/ into a temporary folder (the real index is not touched).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", module="jieba")  # jieba 0.42.1's own import warnings
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search.engine import close_engines  # noqa: E402
from search.evaluation import Metrics, baseline_for, evaluate, load_queries, our_search  # noqa: E402
from search.indexer import build_index  # noqa: E402
from search.settings import load_settings  # noqa: E402


def row(name: str, m: Metrics) -> str:
    return f"{name:<10} {m.r1:>6.3f} {m.r3:>6.3f} {m.mrr10:>7.3f} {m.ood_empty:>9.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("queries", type=Path)
    ap.add_argument("--misses", action="store_true", help="list the queries each system gets wrong")
    args = ap.parse_args()
    queries = load_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        os.environ["KB_INDEX_DIR"] = tmp
        settings = load_settings(Path(__file__).resolve().parent.parent)
        build_index(settings, full=True)
        ours = evaluate(our_search(settings), queries)
        baseline = baseline_for(settings)
        naive = evaluate(baseline, queries)
        baseline.close()
        close_engines()
    print(f"{args.queries}: {ours.in_domain} in-domain queries, {ours.out_of_domain} out-of-domain")
    print(f"{'system':<10} {'R@1':>6} {'R@3':>6} {'MRR@10':>7} {'OOD-empty':>9}")
    print(row("search", ours))
    print(row("baseline", naive))
    if args.misses:
        for name, m in (("search", ours), ("baseline", naive)):
            print(f"\n{name} misses (query | expected | top 3):")
            for q, exp, got in m.misses:
                print(f"  {q} | {','.join(exp)} | {','.join(got) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
