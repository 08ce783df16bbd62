#!/usr/bin/env python3
"""Benchmark the command line from a fresh process: `kb search` cold start and `kb publish` after a
one-line edit, this checkout beside an old commit, interleaved run by run.

Usage: scripts/bench_cli.py [--runs 10] [--against REF]
Each side works in its own temporary copy (the old commit from `git archive`), with this
environment's Python and packages; medians of wall time, and the ratio new/old.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from revision import extract

ROOT = Path(__file__).resolve().parent.parent
BEFORE_ISSUE_14 = "882a7bf"  # main after issue 9 (which already scored from cached postings)
KB = "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['kb', *sys.argv[2:]]; from search.cli import main; sys.exit(main())"
EDIT = ("docs/return.md", "上门取件时", "上门取件的时候")


def checkout(ref: str | None, dest: Path) -> Path:
    """Given a commit (None: this working tree) and a folder, put a copy of the project there."""
    if ref is None:
        ignore = shutil.ignore_patterns(
            ".venv", "_build", "site", ".git", "node_modules", "__pycache__"
        )
        shutil.copytree(ROOT, dest, ignore=ignore)
    else:
        extract(ref, dest)
    return dest


def kb(tree: Path, *args: str) -> float:
    """Given a project copy and kb arguments, run kb there in a fresh process; return seconds."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_ANALYTICS": "0"}
    env.pop("KB_INDEX_DIR", None)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", KB, str(tree), *args],
        cwd=tree,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def edit(tree: Path, flip: bool) -> None:
    path = tree / EDIT[0]
    text = path.read_text(encoding="utf-8")
    old, new = (EDIT[1], EDIT[2]) if not flip else (EDIT[2], EDIT[1])
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--against", default=BEFORE_ISSUE_14)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-cli-") as tmp:
        trees = {
            "new": checkout(None, Path(tmp, "new")),
            f"@{args.against}": checkout(args.against, Path(tmp, "old")),
        }
        for tree in trees.values():
            kb(tree, "publish")  # a first build and index, and warm caches
        search = {name: [] for name in trees}
        publish = {name: [] for name in trees}
        for n in range(args.runs):
            for name, tree in trees.items():
                search[name].append(kb(tree, "search", "退货运费"))
            for name, tree in trees.items():
                edit(tree, flip=bool(n % 2))
                publish[name].append(kb(tree, "publish"))
    (new, old) = trees
    for label, times in (
        ("kb search 退货运费 (cold process)", search),
        ("kb publish after a one-line edit", publish),
    ):
        a, b = statistics.median(times[new]), statistics.median(times[old])
        print(
            f"{label:<36} new {a:.2f} s  {old} {b:.2f} s  ratio {a / b:.2f}  (medians of {args.runs})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
