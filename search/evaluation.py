"""Search quality on a query file: R@1, R@3, MRR@10 and the out-of-domain empty rate."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import KbError
from .indexer import documents
from .settings import Settings

OUT_OF_DOMAIN = "-"
Searcher = Callable[[str], list[str]]  # query → ranked ids (at most 10)


@dataclass(frozen=True)
class Judged:
    """One evaluation query and the ids that answer it (empty: out of domain, best is nothing)."""

    query: str
    expected: frozenset[str]
    line: int


@dataclass(frozen=True)
class Metrics:
    """Quality of one system on one query file."""

    r1: float
    r3: float
    mrr10: float
    ood_empty: float
    in_domain: int
    out_of_domain: int
    misses: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]  # (query, expected, got)


def load_queries(path: Path) -> list[Judged]:
    """Given a TSV of `query<TAB>id,id` lines (`-`: out of domain; # comments), return the queries."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        query, sep, ids = line.partition("\t")
        if not sep or not query.strip():
            raise KbError(f"{path}:{n}: 应为 “问题<TAB>id,id” 或 “问题<TAB>-”", "用制表符分隔两列")
        expected = (
            frozenset() if ids.strip() == OUT_OF_DOMAIN else frozenset(ids.strip().split(","))
        )
        out.append(Judged(query.strip(), expected, n))
    return out


def evaluate(run: Searcher, queries: list[Judged]) -> Metrics:
    """Given a search function and judged queries, return the metrics."""
    r1 = r3 = mrr = empty = 0.0
    misses = []
    inside = [q for q in queries if q.expected]
    outside = [q for q in queries if not q.expected]
    for q in inside:
        got = run(q.query)[:10]
        rank = next((i for i, d in enumerate(got, 1) if d in q.expected), None)
        r1 += rank == 1
        r3 += rank is not None and rank <= 3
        mrr += 1 / rank if rank else 0
        if rank != 1:
            misses.append((q.query, tuple(sorted(q.expected)), tuple(got[:3])))
    for q in outside:
        got = run(q.query)
        empty += not got
        if got:
            misses.append((q.query, (OUT_OF_DOMAIN,), tuple(got[:3])))
    n, m = max(1, len(inside)), max(1, len(outside))
    return Metrics(r1 / n, r3 / n, mrr / n, empty / m, len(inside), len(outside), tuple(misses))


def our_search(settings: Settings) -> Searcher:
    """Given settings with a built index, return this help center's search as a Searcher."""
    from .engine import engine_for

    engine = engine_for(settings)
    return lambda q: [r["id"] for r in engine.search(q, limit=10)["results"]]


class Baseline:
    """The naive baseline: jieba's ChineseAnalyzer, one field, Whoosh's QueryParser with an OR group."""

    def __init__(self, docs: list[dict], folder: Path | None = None, store: bool = False) -> None:
        from jieba.analyse.analyzer import ChineseAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.filedb.filestore import FileStorage
        from whoosh.qparser import OrGroup, QueryParser

        self._tmp = None if folder else tempfile.TemporaryDirectory(prefix="kb-baseline-")
        path = folder or Path(self._tmp.name)  # type: ignore[union-attr]
        schema = Schema(id=ID(stored=True), content=TEXT(analyzer=ChineseAnalyzer(), stored=store))
        self.index = FileStorage(str(path)).create_index(schema)
        with self.index.writer() as w:
            for d in docs:
                w.add_document(
                    id=d["id"], content="\n".join((d["title"], d["phrasings"], d["answer"]))
                )
        self.searcher = self.index.searcher()
        self.parser = QueryParser("content", schema, group=OrGroup)

    def __call__(self, query: str) -> list[str]:
        try:
            parsed = self.parser.parse(query)
        except Exception:  # the baseline's parser rejects some user text; count it as no result
            return []
        return [h["id"] for h in self.searcher.search(parsed, limit=10)]

    def highlighted(self, query: str) -> list[tuple[str, str]]:
        """Given a query, return (id, highlighted passage) of the top 10 (needs store=True)."""
        try:
            parsed = self.parser.parse(query)
        except Exception:
            return []
        return [(h["id"], h.highlights("content")) for h in self.searcher.search(parsed, limit=10)]

    def close(self) -> None:
        self.searcher.close()
        if self._tmp:
            self._tmp.cleanup()


def baseline_for(settings: Settings) -> Baseline:
    """Given settings, return the naive baseline indexed over the same sections, in a temp folder."""
    return Baseline(documents(settings))


# -- checking blind-written batches ----------------------------------------------------------

# Names a writer may use although the article uses them too.
ALLOWED_NAMES = ("亚马逊海外购", "中国亚马逊", "二代身份证", "易客满", "亚马逊", "海外购")
LIFT_CHARS = 5  # a run of this many characters shared with the article counts as lifted
NEAR_DUPLICATE = 0.8  # character-bigram Jaccard similarity at which two queries are one


def _bigrams(text: str) -> frozenset[str]:
    text = "".join(c for c in text if c.isalnum())
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def lifted_phrase(query: str, article: str) -> str | None:
    """Given a query and the normalised article, return a run of LIFT_CHARS characters both share."""
    from .analyzer import normalize

    text = normalize(query)
    for name in ALLOWED_NAMES:
        text = text.replace(name, "|")
    for i in range(len(text) - LIFT_CHARS + 1):
        run = text[i : i + LIFT_CHARS]
        if "|" not in run and not run.isascii() and run in article:
            return run
    return None


def check_batches(
    batches: list[Path], others: list[Path], article: Path, ids: set[str]
) -> list[str]:
    """Given batch files, other query files and the article, return every problem as file:line: what."""
    from .analyzer import normalize

    art = normalize(article.read_text(encoding="utf-8"))
    problems: list[str] = []
    seen: list[tuple[frozenset[str], str]] = []
    for path in others:
        seen += [
            (_bigrams(normalize(q.query)), f"{path.name}:{q.line}") for q in load_queries(path)
        ]
    for path in batches:
        for q in load_queries(path):
            where = f"{path}:{q.line}"
            unknown = sorted(q.expected - ids)
            if unknown:
                problems.append(f"{where}: 未知的 id {', '.join(unknown)}")
            if run := lifted_phrase(q.query, art):
                problems.append(f"{where}: 与原文相同的 {LIFT_CHARS} 字片段「{run}」")
            grams = _bigrams(normalize(q.query))
            for other, at in seen:
                if len(grams & other) / len(grams | other) >= NEAR_DUPLICATE:
                    problems.append(f"{where}: 与 {at} 几乎相同")
                    break
            seen.append((grams, f"{path.name}:{q.line}"))
    return problems
