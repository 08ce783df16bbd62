"""The long-lived search engine: a cached Whoosh searcher that follows new index generations.

One Engine per index folder and process; every method is thread-safe. Whoosh searchers are not
safe to share between threads, so index access is serialised by a lock (a query takes about a
millisecond); tokenising the query and highlighting happen outside it where they can.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from .analyzer import pinyin_key
from .catalogue import load_catalogue
from .docwords import DocWords
from .errors import BadQuery, IndexMissing
from .lexicon import Lexicon, load_lexicon
from .query import MAX_QUERY_CHARS, Concept, analyze_query, full_query, validate
from .ranking import (
    DOC_CACHE,
    KNOWN_FLOOR,
    MIN_COVERAGE,
    MIN_EVIDENCE,
    PHRASE_BONUS,
    POOL,
    QUESTION_FIELDS,
    UNKNOWN_DF,
    WEIGHTING,
    Candidate,
    credit,
    final_score,
    general_weight,
    idf,
)
from .schema import INDEX_NAME, TEXT_FIELDS
from .settings import Settings
from .snippet import make_snippet
from .suggester import Question, suggestions

CACHE_SIZE = 2048  # memoised answers per engine (one index generation)
REFRESH_SECONDS = 1.0  # how often a request checks whether a newer index was committed


class Engine:
    """Searches one index folder; picks up newly committed index generations by itself."""

    def __init__(
        self,
        settings: Settings,
        refresh_seconds: float = REFRESH_SECONDS,
        cache_size: int | None = None,
    ) -> None:
        self.settings = settings
        self.refresh_seconds = refresh_seconds
        # Shoppers ask the same few questions over and over: answers are memoised per index
        # generation (derived data only; a new generation starts empty). KB_SEARCH_CACHE=0 disables.
        self.cache_size = (
            int(os.environ.get("KB_SEARCH_CACHE", CACHE_SIZE)) if cache_size is None else cache_size
        )
        self._cache: OrderedDict[tuple[str, int, str | None], tuple[int, list[dict[str, Any]]]] = (
            OrderedDict()
        )
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._ix: FileIndex | None = None
        self._version = ""
        self._checked = 0.0
        self._df: dict[str, int] = {}
        self._doc_words: dict[int, DocWords] = {}
        self._fields: dict[int, dict[str, Any]] = {}
        self._pinyin: dict[str, tuple[str, ...]] | None = None
        self._questions: list[Question] | None = None
        self._categories = load_catalogue(settings.catalogue_file).categories

    # -- index generations -------------------------------------------------------------------

    def _open(self) -> Searcher:
        """Return a searcher on the latest generation (call with the lock held)."""
        if self._searcher is None:
            self._adopt(self._fresh_searcher())
        elif time.monotonic() - self._checked >= self.refresh_seconds:
            self._checked = time.monotonic()
            try:
                latest = self._ix.latest_generation()
            except OSError:  # the folder is being replaced: keep serving what we have
                latest = -1
            if latest > self._searcher.reader().generation():
                old = self._searcher
                self._adopt(self._fresh_searcher())
                old.close()  # safe: every use of a searcher happens under the lock
        assert self._searcher is not None
        return self._searcher

    def _fresh_searcher(self) -> Searcher:
        """Open the latest generation of the index with the engine's weighting; IndexMissing if none."""
        storage = FileStorage(str(self.settings.index_dir))
        if not self.settings.index_dir.is_dir() or not storage.index_exists(INDEX_NAME):
            raise IndexMissing(f"还没有搜索索引：{self.settings.index_dir}")
        self._ix = storage.open_index(INDEX_NAME)
        return self._ix.searcher(weighting=WEIGHTING)

    def _adopt(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._checked = time.monotonic()
        self._df = {}
        self._fields = {}
        self._doc_words = {}
        self._pinyin = None
        self._questions = None
        self._cache = OrderedDict()
        gen = searcher.reader().generation()
        toc = self.settings.index_dir / f"_{INDEX_NAME}_{gen}.toc"
        stamp = toc.stat().st_mtime_ns if toc.exists() else 0
        self._version = f"{gen}.{stamp:x}"

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the cached searcher (the next request opens a new one)."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None

    def info(self) -> dict[str, Any]:
        """Return {"version", "documents"} of the index generation this engine serves."""
        with self._lock:
            searcher = self._open()
            return {"version": self._version, "documents": searcher.doc_count()}

    # -- vocabulary --------------------------------------------------------------------------

    def _doc_frequency(self, searcher: Searcher, term: str) -> int:
        """Given an index word, return its largest document frequency over the text fields."""
        if term not in self._df:
            reader = searcher.reader()
            self._df[term] = max(reader.doc_frequency(f, term) for f in TEXT_FIELDS)
        return self._df[term]

    def _sounds(self, searcher: Searcher) -> dict[str, tuple[str, ...]]:
        """Return the index's words of two or more Chinese characters by pinyin key (built once)."""
        if self._pinyin is None:
            table: dict[str, list[str]] = {}
            reader = searcher.reader()
            for f in TEXT_FIELDS:
                for raw in reader.lexicon(f):
                    word = raw.decode("utf-8")
                    key = pinyin_key(word) if len(word) >= 2 else None
                    if key and word not in table.setdefault(key, []):
                        table[key].append(word)
            self._pinyin = {k: tuple(v) for k, v in table.items()}
        return self._pinyin

    def _stored(self, searcher: Searcher, docnum: int) -> dict[str, Any]:
        """Given a document number, return its stored fields (cached for this index generation)."""
        found = self._fields.get(docnum)
        if found is None:
            if len(self._fields) >= DOC_CACHE:
                self._fields.clear()
                self._doc_words.clear()
            found = self._fields[docnum] = searcher.stored_fields(docnum)
        return found

    def _words(self, docnum: int, fields: dict[str, Any]) -> DocWords:
        """Given a document, return its parsed words (cached for this index generation)."""
        found = self._doc_words.get(docnum)
        if found is None:
            found = self._doc_words[docnum] = DocWords(
                fields.get("words") or {},
                fields.get("question_words") or [],
                load_lexicon(self.settings.data_dir).particles,
            )
        return found

    def _weight(self, searcher: Searcher, concept: Concept) -> float:
        """Given a concept, return how informative it is.

        The index idf of its best form, blended with how informative the word is in general
        Chinese (jieba's IDF table), because a small help center's idf alone cannot tell 让 from
        取消. A word the help center never uses weighs as much as its rarest word, scaled the
        same way, so 奶粉 or 开店 count against a match but 时候 or 一般 barely do.
        """
        n = searcher.doc_count()
        general = general_weight(concept.label)
        if not concept.known:
            return idf(n, UNKNOWN_DF) * general
        df = min(self._doc_frequency(searcher, a.term) for a in concept.alternatives)
        return idf(n, df) * (KNOWN_FLOOR + (1 - KNOWN_FLOOR) * general)

    # -- searching ---------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 10, category: str | None = None) -> dict[str, Any]:
        """Given a shopper's question, return {"query", "total", "took_ms", "results": [...]}."""
        started = time.perf_counter()
        text = validate(query, limit, category, self._categories)
        key = (text, limit, category)
        lexicon = load_lexicon(self.settings.data_dir)
        with self._lock:
            searcher = self._open()  # a new index generation empties the cache
            version = self._version
            cached = self._cache.get(key)
            if cached is None:
                candidates, concepts = self._rank(searcher, text, lexicon, limit, category)
            else:
                self._cache.move_to_end(key)
        if cached is None:
            results = [self._result(c, concepts, lexicon) for c in candidates[:limit]]
            cached = (len(candidates), results)
            with self._lock:
                if self.cache_size and version == self._version:
                    self._cache[key] = cached
                    while len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
        total, results = cached
        return {
            "query": query,
            "total": total,
            "took_ms": round((time.perf_counter() - started) * 1000, 3),
            "results": [dict(r) for r in results],
        }

    def _rank(
        self, searcher: Searcher, text: str, lexicon: Lexicon, limit: int, category: str | None
    ) -> tuple[list[Candidate], list[Concept]]:
        """Given a query, return the accepted candidates best first, and the query's concepts."""

        concepts = analyze_query(text, lexicon, _Vocabulary(self, searcher))
        known = [c for c in concepts if c.known]
        if not known:
            return [], concepts
        weights = {c.label: self._weight(searcher, c) for c in concepts}
        total = sum(weights.values())
        unit = idf(searcher.doc_count(), 1)
        required = min(MIN_COVERAGE * total, MIN_EVIDENCE * unit)

        hits = searcher.search(
            full_query(known),
            limit=limit + POOL,
            filter=wq.Term("category", category) if category else None,
        )
        candidates = {
            h.docnum: Candidate(h.docnum, h.score, self._stored(searcher, h.docnum)) for h in hits
        }
        if not candidates:
            return [], concepts
        query_terms = {a.term for c in known for a in c.alternatives}
        primaries = [c.primary for c in known]
        pairs = [(x, y) for x, y in itertools.pairwise(primaries) if x and y]
        for c in candidates.values():
            words = self._words(c.docnum, c.fields)
            for concept in known:
                found = [a for a in concept.alternatives if words.has(a.term)]
                if found:
                    c.matched[concept.label] = found
                    asked = [a for a in found if words.has(a.term, QUESTION_FIELDS)]
                    c.asked += weights[concept.label] * credit(asked) / total
            for x, y in pairs:  # neighbouring query words found together rank higher
                c.phrases += sum(PHRASE_BONUS[f] for f in TEXT_FIELDS if words.near(f, x, y))
            c.phrases /= max(1, len(pairs))
            c.echo = words.echo(query_terms)

        accepted = []
        for c in candidates.values():
            evidence = sum(weights[label] * credit(alts) for label, alts in c.matched.items())
            if evidence + 1e-9 < required:
                continue
            c.score = final_score(c, evidence / total)
            accepted.append(c)
        accepted.sort(key=lambda c: (-c.score, c.docnum))
        return accepted, concepts

    def _result(self, c: Candidate, concepts: list[Concept], lexicon: Lexicon) -> dict[str, Any]:
        """Given an accepted candidate, return its API result with a highlighted snippet."""
        found = [a for alts in c.matched.values() for a in alts]
        terms = {a.term for a in found}
        f = c.fields
        return {
            "id": f["id"],
            "title": f["title"],
            "url": f["url"],
            "category": f["category"],
            "snippet": make_snippet(f["answer"], terms, lexicon),
            "score": round(c.score, 4),
            "answer": f["answer"],
        }

    # -- suggestions -------------------------------------------------------------------------

    def suggest(self, prefix: str, *, limit: int = 8) -> dict[str, Any]:
        """Given what the user has typed so far, return {"query", "suggestions": [{"id", "title", "url"}]}."""
        if not isinstance(prefix, str) or len(prefix) > MAX_QUERY_CHARS:
            raise BadQuery(f"输入太长（最多 {MAX_QUERY_CHARS} 个字符）", "缩短输入后再试")
        validate(prefix if prefix.strip() else "-", limit, None, self._categories)
        with self._lock:
            searcher = self._open()
            if self._questions is None:
                self._questions = _load_questions(searcher)
            questions = self._questions
        return {"query": prefix, "suggestions": suggestions(questions, prefix, limit)}


class _Vocabulary:
    """The index's words as the query analysis sees them (an Engine's caches, one searcher)."""

    def __init__(self, engine: Engine, searcher: Searcher) -> None:
        self.engine, self.searcher = engine, searcher

    def has(self, term: str) -> bool:
        return self.engine._doc_frequency(self.searcher, term) > 0

    def sounding(self, key: str) -> tuple[str, ...]:
        return self.engine._sounds(self.searcher).get(key, ())


def _load_questions(searcher: Searcher) -> list[Question]:
    """Given a searcher, return every FAQ question and phrasing with its suggestion keys."""
    out = []
    for f in searcher.reader().all_stored_fields():
        if f.get("kind") != "faq":
            continue
        for n, (text, pinyin, initials) in enumerate(f.get("questions") or []):
            out.append(Question(f["id"], f["title"], f["url"], text, pinyin, initials, n == 0))
    return out


# -- one engine per index folder, for the module-level functions ----------------------------

_ENGINES: OrderedDict[tuple[Path, Path], Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()
MAX_ENGINES = 8


def engine_for(settings: Settings) -> Engine:
    """Given settings, return the process's cached Engine for its index folder."""
    key = (Path(os.path.abspath(settings.index_dir)), settings.data_dir)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = Engine(settings)
            while len(_ENGINES) > MAX_ENGINES:
                _ENGINES.popitem(last=False)[1].close()
        _ENGINES.move_to_end(key)
        return engine


def close_engines() -> None:
    """Close every cached engine (tests and shutdown)."""
    with _ENGINES_LOCK:
        while _ENGINES:
            _ENGINES.popitem()[1].close()


def search(
    settings: Settings, query: str, *, limit: int = 10, category: str | None = None
) -> dict[str, Any]:
    """Given settings and a question, return {"query", "total", "took_ms", "results": [...]}."""
    return engine_for(settings).search(query, limit=limit, category=category)


def suggest(settings: Settings, prefix: str, *, limit: int = 8) -> dict[str, Any]:
    """Given settings and a typed prefix, return {"query", "suggestions": [...]}."""
    return engine_for(settings).suggest(prefix, limit=limit)


def index_info(settings: Settings) -> dict[str, Any]:
    """Given settings, return {"version", "documents"} of the index currently served."""
    return engine_for(settings).info()
