#!/usr/bin/env python3
"""Check blind-written evaluation batches: known ids, no near-duplicates, nothing lifted from the article.

Usage: scripts/check_eval_batches.py [BATCH.tsv ...]   (default: tests/eval/tune and tests/eval/locked)
Prints file:line problems (never a locked query's text) and exits 1 when there are any.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", module="jieba")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.catalogue import load_catalogue  # noqa: E402
from search.evaluation import OUT_OF_DOMAIN, check_batches  # noqa: E402
from search.settings import DATA_DIR  # noqa: E402

EVAL = ROOT / "tests" / "eval"
ARTICLE = ROOT / "tests" / "eval" / "article.txt"


def main() -> int:
    batches = [Path(a) for a in sys.argv[1:]] or sorted(
        [*EVAL.glob("tune/*.tsv"), *EVAL.glob("locked/*.tsv")]
    )
    ids = set(load_catalogue(DATA_DIR / "catalogue.yml").entries)
    problems = check_batches(batches, [EVAL / "queries.tsv"], ARTICLE, ids | {OUT_OF_DOMAIN})
    for p in problems:
        print(p)
    print(f"{len(batches)} batches, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
