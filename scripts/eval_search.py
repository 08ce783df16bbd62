#!/usr/bin/env python3
"""Search quality, side by side: this search, the naive OR baseline and main before issue 9, one run.

Usage: scripts/eval_search.py [--sets dev,project,tune] [--locked] [--misses] [--against REF] [FILE.tsv ...]

Sets: dev (../shared/eval/dev-queries.tsv), project (tests/eval/queries.tsv), tune
(tests/eval/tune/*.tsv, blind-written), locked (tests/eval/locked/*.tsv, blind-written, only with
--locked: each locked run is appended to tests/eval/locked-runs.log, and its misses are never printed).
Prints R@1, R@3, MRR@10 and the out-of-domain empty rate. Indexes into temporary folders; the real
index is not touched. `--against` names the old commit (its own code and pages, built from `git archive`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

from revision import extract

warnings.filterwarnings("ignore", module="jieba")  # jieba 0.42.1's own import warnings
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.engine import close_engines  # noqa: E402
from search.evaluation import (  # noqa: E402
    Judged,
    Metrics,
    baseline_for,
    evaluate,
    load_queries,
    our_search,
)
from search.indexer import build_index  # noqa: E402
from search.settings import load_settings  # noqa: E402

EVAL = ROOT / "tests" / "eval"
BEFORE_ISSUE_9 = "a732ca4"  # main before the blind evaluation and the fitted ranking
SETS = {
    "dev": [ROOT.parent / "shared" / "eval" / "dev-queries.tsv"],
    "project": [EVAL / "queries.tsv"],
    "tune": sorted(EVAL.glob("tune/*.tsv")),
    "locked": sorted(EVAL.glob("locked/*.tsv")),
}
# Runs the old commit's own search over its own pages; reads queries, prints ranked ids as JSON.
OLD_RUNNER = """
import json, os, sys, tempfile, warnings
warnings.filterwarnings("ignore")
from pathlib import Path
root = Path(sys.argv[1]); sys.path.insert(0, str(root))
with tempfile.TemporaryDirectory() as tmp:
    os.environ["KB_INDEX_DIR"] = tmp
    from search.settings import load_settings
    from search.indexer import build_index
    from search.engine import engine_for
    s = load_settings(root); build_index(s, full=True); e = engine_for(s)
    out = {}
    for q in json.load(sys.stdin):
        try:
            out[q] = [r["id"] for r in e.search(q, limit=10)["results"]]
        except Exception:
            out[q] = []
    print(json.dumps(out))
"""


def shared_dev() -> Path:
    """Return the shared dev set (beside the checkout, or as CI lays it out)."""
    for base in (ROOT.parent, ROOT.parent.parent):
        path = base / "shared" / "eval" / "dev-queries.tsv"
        if path.is_file():
            return path
    return SETS["dev"][0]


def old_search(ref: str, queries: list[str]) -> dict[str, list[str]]:
    """Given a commit and queries, return each query's ranked ids from that commit's own search."""
    with tempfile.TemporaryDirectory(prefix="kb-old-") as tmp:
        extract(ref, tmp)
        done = subprocess.run(
            [sys.executable, "-c", OLD_RUNNER, tmp],
            input=json.dumps(queries),
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(done.stdout)


def row(name: str, m: Metrics) -> str:
    return f"  {name:<12} {m.r1:>6.3f} {m.r3:>6.3f} {m.mrr10:>7.3f} {m.ood_empty:>9.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="extra query files, one set each")
    ap.add_argument("--sets", default="dev,project,tune", help="comma-separated set names")
    ap.add_argument("--locked", action="store_true", help="also report the locked test set")
    ap.add_argument("--misses", action="store_true", help="list this search's misses (not locked)")
    ap.add_argument("--against", default=BEFORE_ISSUE_9, help="old commit to compare ('' skips)")
    args = ap.parse_args()
    SETS["dev"] = [shared_dev()]
    names = [n for n in args.sets.split(",") if n and n != "locked"]
    if args.locked:
        names.append("locked")
        with open(EVAL / "locked-runs.log", "a", encoding="utf-8") as log:
            stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            head = subprocess.run(
                ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            log.write(f"{stamp} {head}\n")
    sets: dict[str, list[Judged]] = {
        n: [q for f in SETS[n] if f.is_file() for q in load_queries(f)] for n in names
    }
    sets |= {str(f): load_queries(f) for f in args.files}
    every = sorted({q.query for qs in sets.values() for q in qs})
    old = old_search(args.against, every) if args.against else {}
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        os.environ["KB_INDEX_DIR"] = tmp
        settings = load_settings(ROOT)
        build_index(settings, full=True)
        ours, naive = our_search(settings), baseline_for(settings)
        print(f"{'':<14} {'R@1':>6} {'R@3':>6} {'MRR@10':>7} {'OOD-empty':>9}")
        for name, queries in sets.items():
            if not queries:
                print(f"{name}: no queries found")
                continue
            inside = sum(1 for q in queries if q.expected)
            print(f"{name} ({inside} in-domain, {len(queries) - inside} out-of-domain)")
            mine = evaluate(ours, queries)
            print(row("search", mine))
            print(row("naive OR", evaluate(naive, queries)))
            if args.against:
                print(row(f"@{args.against[:10]}", evaluate(lambda q: old[q], queries)))
            if args.misses and name != "locked":
                for q, exp, got in mine.misses:
                    print(f"    miss: {q} | {','.join(exp)} | {','.join(got) or '(none)'}")
        naive.close()
        close_engines()
    return 0


if __name__ == "__main__":
    sys.exit(main())
