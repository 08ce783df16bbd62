"""The long-lived search engine: a cached Whoosh searcher that follows new index generations.

One Engine per index folder and process; every method is thread-safe. Whoosh searchers are not
safe to share between threads, so index access is serialised by a lock (a query takes about a
millisecond); tokenising the query and highlighting happen outside it where they can.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from .analyzer import normalize, pinyin_initials, pinyin_key, segment
from .catalogue import load_catalogue
from .contracts import IndexInfo
from .docwords import DocWords
from .english import english_terms
from .errors import BadQuery, IndexCorrupt, IndexMissing, index_errors
from .lexicon import Lexicon, load_lexicon
from .memo import BoundedDict
from .pinyin import read
from .query import (
    MAX_QUERY_CHARS,
    Concept,
    analyze_query,
    check_limit,
    check_text,
    other_platform,
    strip_noise,
    truncated,
    uncovered_topic,
    validate,
)
from .ranking import (
    DOC_CACHE,
    KNOWN_FLOOR,
    PHRASE_BONUS,
    POOL,
    QUESTION_FIELDS,
    RELATED_SPECIFIC,
    UNKNOWN_DF,
    WEIGHTING,
    Candidate,
    credit,
    general_weight,
    idf,
    load_model,
)
from .retrieval import MAX_TERM_CHARS, MAX_TERMS, Postings
from .schema import INDEX_NAME, TEXT_FIELDS
from .settings import Settings
from .site import live_index_dir
from .snippet import make_snippet
from .suggester import Question, suggestions

T = TypeVar("T")

MEMO_CHARS = 200  # longer questions (pasted messages) are rarely asked twice: not memoised
# Questions of messages that ask several, ranked, per generation: such messages are few, and a
# ranking holds its candidates (a few KB each).
MAX_RANKINGS = 256
# Answers kept by meaning per generation, beside the text memo (KB_SEARCH_CACHE): a help center's
# questions mean a few hundred things, and each answer is a few KB to a few tens of KB.
MAX_MEANINGS = 512
MAX_READINGS = 4096  # pinyin runs read per generation (shoppers type the same words: tuihuo)
# Typing prefixes memoised per generation: every prefix of a few hundred questions fits, each
# entry a tuple of shared summaries (~300 bytes), and no prefix longer than SUGGEST_CHARS is kept.
MAX_SUGGESTED = 16384
SUGGEST_CHARS = 64
REFRESH_SECONDS = 1.0  # how often a request checks whether a newer index was committed
# took_ms in steps of 10 µs: finer is noise, and a memoised answer then repeats byte for byte
# (so the server compresses it once, not per asking).
TOOK_DECIMALS = 2


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Wrap an Engine method so a damaged index is a named error (and is reopened on the next call)."""

    @functools.wraps(method)
    def wrapper(self: Engine, *args: Any, **kwargs: Any) -> T:
        try:
            with index_errors(self._folder or self.settings.index_dir):
                return method(self, *args, **kwargs)
        except IndexCorrupt as e:
            self.close()
            self._damaged = (e, self._folder, time.monotonic())
            raise

    return wrapper


class Engine:
    """Searches the served index; follows new releases and newly committed generations by itself."""

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
        self.cache_size = settings.search_cache if cache_size is None else cache_size
        self._cache: BoundedDict = BoundedDict(self.cache_size)  # (text, limit, category) → Answer
        # ...and per meaning: phrasings the analysis understands alike (请问退货运费谁出呢？,
        # 退货运费谁出) share one ranking, so only the analysis is done anew for them.
        self._meanings: BoundedDict = BoundedDict(MAX_MEANINGS)
        self._rankings: BoundedDict = BoundedDict(MAX_RANKINGS)
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._ix: FileIndex | None = None
        self._folder: Path | None = None  # where the open index lives
        self._damaged: tuple[IndexCorrupt, Path | None, float] | None = None
        self._version = ""
        self._checked = 0.0
        self._df: BoundedDict = BoundedDict(MAX_TERMS)
        self._doc_words: dict[int, DocWords] = {}
        self._fields: dict[int, dict[str, Any]] = {}
        self._pinyin: dict[str, tuple[str, ...]] | None = None
        self._postings: Postings
        self._initials: dict[str, tuple[str, ...]] = {}
        self._sound_starts: frozenset[str] = frozenset()  # every beginning of a pinyin key
        self._readings: BoundedDict = BoundedDict(MAX_READINGS)  # letters → pinyin keys
        self._questions: list[Question] | None = None
        self._suggested: BoundedDict = BoundedDict(MAX_SUGGESTED)
        self._summaries: dict[str, dict[str, str]] = {}  # one per FAQ id, shared by the memo
        self._ids: dict[str, str] | None = None
        self._categories = load_catalogue(settings.catalogue_file).categories

    # -- index generations -------------------------------------------------------------------

    def _open(self) -> Searcher:
        """Return a searcher on the latest generation (call with the lock held).

        Every `refresh_seconds` it looks where the index is served from now: a publish moves the
        `site` pointer to a new release (and its index), `kb index` commits a new generation.
        """
        if self._searcher is None:
            if self._damaged is not None:  # found damaged lately: no reopening on every request
                error, folder, when = self._damaged
                if time.monotonic() - when < self.refresh_seconds and folder == live_index_dir(
                    self.settings
                ):
                    raise IndexCorrupt(error.message)
                self._damaged = None
            self._adopt(self._fresh_searcher())
        elif time.monotonic() - self._checked >= self.refresh_seconds:
            self._checked = time.monotonic()
            moved = live_index_dir(self.settings) != self._folder
            try:
                latest = -1 if moved else self._ix.latest_generation()
            except OSError:  # the folder is being replaced: keep serving what we have
                latest = -1
            if moved or latest > self._searcher.reader().generation():
                old = self._searcher
                self._searcher = None  # if the new one cannot be opened, say so; never serve stale
                old.close()  # safe: every use of a searcher happens under the lock
                self._adopt(self._fresh_searcher())
        assert self._searcher is not None
        return self._searcher

    def _fresh_searcher(self) -> Searcher:
        """Open the latest generation of the served index with the engine's weighting; IndexMissing if none."""
        folder = self._folder = live_index_dir(self.settings)
        storage = FileStorage(str(folder))
        if not folder.is_dir() or not storage.index_exists(INDEX_NAME):
            raise IndexMissing(f"还没有搜索索引：{folder}")
        with index_errors(folder):
            self._ix = storage.open_index(INDEX_NAME)
            return self._ix.searcher(weighting=WEIGHTING)

    def _adopt(self, searcher: Searcher) -> None:
        # First: memoised() and memoised_suggest() read these without the lock.
        self._cache = BoundedDict(self.cache_size)
        self._meanings = BoundedDict(MAX_MEANINGS)
        self._rankings = BoundedDict(MAX_RANKINGS)
        self._suggested = BoundedDict(MAX_SUGGESTED)
        self._summaries = {}
        self._searcher = searcher
        self._checked = time.monotonic()
        self._df = BoundedDict(MAX_TERMS)
        self._fields = {}
        self._doc_words = {}
        self._pinyin = None
        self._readings = BoundedDict(MAX_READINGS)
        self._postings = Postings(searcher)
        self._questions = None
        self._ids = None
        gen = searcher.reader().generation()
        toc = self._folder / f"_{INDEX_NAME}_{gen}.toc"
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

    def warm(self, english: bool = False) -> None:
        """Load what a first search would: the index, the dictionaries (and for servers what
        Latin and pinyin questions need: the English dictionary, the index's pinyin tables)."""
        lexicon = load_lexicon(self.settings.data_dir)
        with self._lock:
            searcher = self._open()
            if english:
                self._sounds(searcher)
        segment("退货运费", lexicon)
        general_weight("退货")
        if english:
            english_terms(self.settings.data_dir / "english.txt")

    @_guarded
    def info(self) -> IndexInfo:
        """Return {"version", "documents"} of the index generation this engine serves."""
        with self._lock:
            searcher = self._open()
            return IndexInfo(version=self._version, documents=searcher.doc_count())

    @_guarded
    def known_ids(self) -> dict[str, str]:
        """Return {result id: kind ("faq" or "intro")} of the generation served (read once per generation)."""
        with self._lock:
            searcher = self._open()
            if self._ids is None:
                self._ids = {
                    f["id"]: f.get("kind", "faq") for f in searcher.reader().all_stored_fields()
                }
            return self._ids

    # -- vocabulary --------------------------------------------------------------------------

    def _doc_frequency(self, searcher: Searcher, term: str) -> int:
        """Given an index word, return its largest document frequency over the text fields."""
        found = self._df.get(term)
        if found is None:
            reader = searcher.reader()
            found = max(reader.doc_frequency(f, term) for f in TEXT_FIELDS)
            if len(term) <= MAX_TERM_CHARS:  # a crafted long "word" is looked up, never kept
                self._df[term] = found
        return found

    def _sounds(self, searcher: Searcher) -> dict[str, tuple[str, ...]]:
        """Return the index's words of two or more Chinese characters by pinyin key (built once)."""
        if self._pinyin is None:
            table: dict[str, list[str]] = {}
            initials: dict[str, list[str]] = {}
            reader = searcher.reader()
            for f in TEXT_FIELDS:
                for raw in reader.lexicon(f):
                    word = raw.decode("utf-8")
                    key = pinyin_key(word) if len(word) >= 2 else None
                    if key and word not in table.setdefault(key, []):
                        table[key].append(word)
                        if len(word) <= 4:
                            initials.setdefault(pinyin_initials(word), []).append(word)
            self._sound_starts = frozenset(k[:n] for k in table for n in range(1, len(k) + 1))
            self._pinyin = {k: tuple(v) for k, v in table.items()}
            self._initials = {k: tuple(v) for k, v in initials.items()}
        return self._pinyin

    def _by_initials(self, searcher: Searcher) -> dict[str, tuple[str, ...]]:
        """Return the index's words of two to four Chinese characters by pinyin initials (qg → 清关)."""
        self._sounds(searcher)
        return self._initials

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

    @_guarded
    def concepts(self, query: str) -> list[frozenset[str]]:
        """Given a query, return each informative concept as the index words it may take (synonyms, pinyin, sound-alikes)."""
        text = validate(query, 1, None, self._categories)
        lexicon = load_lexicon(self.settings.data_dir)
        with self._lock:
            found = analyze_query(text, lexicon, _Vocabulary(self, self._open()))
        return [frozenset(a.term for a in c.alternatives) or frozenset({c.label}) for c in found]

    def search(self, query: str, *, limit: int = 10, category: str | None = None) -> dict[str, Any]:
        """Given a shopper's question, return {"query", "total", "took_ms", "results", "related"}.

        `results` holds confident answers only; when none is confident but the question is in the
        help center's domain, `related` holds the nearest questions ("你可能想问…"). A message
        with several questions answers each (`questions`: each question's ids, best first).
        """
        found, took_ms = self.answer(query, limit=limit, category=category)
        return found.response(query, took_ms)

    @_guarded
    def answer(
        self, query: str, *, limit: int = 10, category: str | None = None
    ) -> tuple[Answer, float]:
        """Given a shopper's question, return its Answer (shared: never change it) and the
        milliseconds it took; the server sends `Answer.json` without building a response."""
        started = time.perf_counter()
        text = validate(query, limit, category, self._categories)
        key = (text, limit, category)
        lexicon = load_lexicon(self.settings.data_dir)
        meaning = None
        with self._lock:
            searcher = self._open()  # a new index generation empties the memos
            version = self._version
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached, (time.perf_counter() - started) * 1000
            parts = _questions_of(text, lexicon)
            understood = self._understand(searcher, text, lexicon)
            cut = truncated(text, lexicon)
            if len(parts) == 1:
                meaning = (understood, limit, category, cut, lexicon.fingerprint)
                cached = self._meanings.get(meaning)
                if cached is None:
                    ranked = [self._rank(searcher, text, understood, limit, category)]
            else:  # its answer names its questions as written; each question's ranking is shared
                ranked = [  # parts[0] is the whole message, as understood above
                    self._ranking(
                        searcher, part, lexicon, limit, category, understood if n == 0 else None
                    )
                    for n, part in enumerate(parts)
                ]
        if cached is None:
            cached = self._answer(ranked, lexicon, limit, cut)
        self._remember(version, key, meaning, cached)
        return cached, (time.perf_counter() - started) * 1000

    def _answer(self, ranked: list[Ranked], lexicon: Lexicon, limit: int, cut: bool) -> Answer:
        """Given the whole message ranked, then each of its questions, return its Answer."""
        whole, parts = ranked[0], ranked[1:]
        answers = _merge(whole.answers, [p.answers for p in parts])
        results = [self._result(c, lexicon) for c in answers[:limit]]
        related = [_summary(c.fields) for c in whole.nearest[:RELATED]] if not answers else []
        questions = [
            {"text": p.text, "ids": [c.fields["id"] for c in p.answers[:3]]}
            for p in parts
            if p.answers
        ]
        return Answer(len(answers), results, related, questions, cut)

    def _remember(
        self, version: str, key: tuple[str, int, str | None], meaning: Any, answer: Answer
    ) -> None:
        """Memoise an answer by its text and by its meaning (not when memos are off, the text is
        a long pasted message, or a newer generation came meanwhile)."""
        if not self.cache_size or len(key[0]) > MEMO_CHARS:
            return
        with self._lock:
            if version != self._version:
                return
            self._cache[key] = answer
            if meaning is not None:
                self._meanings[meaning] = answer

    def _checked_lately(self) -> bool:
        """Return whether the served generation was checked within `refresh_seconds` (memo answers are current)."""
        return (
            self._searcher is not None and time.monotonic() - self._checked < self.refresh_seconds
        )

    def memoised(
        self, query: str, *, limit: int = 10, category: str | None = None
    ) -> Answer | None:
        """Given a question, return its memoised answer, or None; never waits for the engine's lock.

        Answers only while the served generation was checked within `refresh_seconds` (so a
        publish is never missed); an asker that gets None calls `search`. The server answers
        most questions this way on its event loop, without a trip to a search thread.
        """
        if not self._checked_lately():
            return None
        try:
            text = validate(query, limit, category, self._categories)
        except BadQuery:
            return None  # `search` says what is wrong
        return self._cache.get((text, limit, category))  # one dict read: safe without the lock

    def explain(self, query: str) -> dict[str, Any]:
        """Given a query, return every candidate's ranking features and the query's signals (fitting)."""
        lexicon = load_lexicon(self.settings.data_dir)
        with self._lock:
            searcher = self._open()
            text = normalize(query)
            ranked = self._rank(searcher, text, self._understand(searcher, text, lexicon), 10, None)
        return {
            "platform": ranked.platform,
            "unknown": ranked.unknown,
            "candidates": [
                {
                    "id": c.fields["id"],
                    "features": c.features,
                    "signals": c.signals(ranked.unknown, 0.0),
                }
                for c in ranked.scored
            ],
        }

    def _understand(self, searcher: Searcher, text: str, lexicon: Lexicon) -> Understanding:
        """Given one question, return what the search understands of it (all that ranking reads)."""
        clean = strip_noise(text)
        vocab = _Vocabulary(self, searcher)
        platform = other_platform(clean, lexicon) or uncovered_topic(clean, lexicon, vocab)
        if platform:
            return Understanding((), platform)
        return Understanding(tuple(analyze_query(text, lexicon, vocab, self._english)), None)

    def _ranking(
        self,
        searcher: Searcher,
        text: str,
        lexicon: Lexicon,
        limit: int,
        category: str | None,
        understood: Understanding | None = None,
    ) -> Ranked:
        """Given one question of a message, return its Ranked, memoised by what is understood of it
        (call with the lock held): a pasted message's questions come back with other greetings."""
        understood = understood or self._understand(searcher, text, lexicon)
        key = (understood, limit, category, lexicon.fingerprint)
        found = self._rankings.get(key)
        if found is None:
            found = self._rank(searcher, text, understood, limit, category)
            if self.cache_size and len(text) <= MEMO_CHARS:  # kept without the also-rans
                self._rankings[key] = dataclasses.replace(found, scored=[])
        return found if found.text == text else dataclasses.replace(found, text=text)

    def _rank(
        self,
        searcher: Searcher,
        text: str,
        understood: Understanding,
        limit: int,
        category: str | None,
    ) -> Ranked:
        """Given one question and what is understood of it, return its candidates scored, the
        confident ones, and the nearest."""
        concepts, platform = understood.concepts, understood.platform
        known = [c for c in concepts if c.known]
        if platform or not known:
            return Ranked(text, [], [], [], 1.0, platform)
        weights = {c.label: self._weight(searcher, c) for c in concepts}
        total = sum(weights.values())
        unknown = sum(w for c in concepts if not c.known for w in (weights[c.label],)) / total
        unit = idf(searcher.doc_count(), 1)
        hits = self._postings.retrieve(known, limit + POOL, category)
        candidates = [Candidate(d, score, self._stored(searcher, d)) for d, score in hits]
        forms = [(frozenset(a.term for a in c.alternatives), weights[c.label]) for c in concepts]
        primaries = [c.primary for c in known]
        pairs = [(x, y) for x, y in itertools.pairwise(primaries) if x and y]
        model = load_model()
        for c in candidates:
            words = self._words(c.docnum, c.fields)
            evidence = 0.0
            for concept in known:
                found = [a for a in concept.alternatives if words.has(a.term)]
                if found:
                    c.matched[concept.label] = found
                    evidence += weights[concept.label] * credit(found)
                    asked = [a for a in found if words.has(a.term, QUESTION_FIELDS)]
                    c.asked += weights[concept.label] * credit(asked) / total
            for x, y in pairs:  # neighbouring query words found together rank higher
                c.phrases += sum(PHRASE_BONUS[f] for f in TEXT_FIELDS if words.near(f, x, y))
            c.phrases /= max(1, len(pairs))
            c.echo, c.nearest = words.neighbours(forms)
            c.coverage = evidence / total
            c.evidence = evidence / unit
            c.features = c.describe()
            c.rank = model.score(c.features)
        candidates.sort(key=lambda c: (-c.rank, c.docnum))
        answers = [c for c in candidates if model.confident(c.signals(unknown, c.rank))]
        if candidates and answers and answers[0] is not candidates[0]:
            answers = []  # the best candidate is not an answer: nothing below it is either
        # Not an answer, but in the domain: the nearest questions, when the query names something
        # the pages are about (清关, 退货), not only common words (上, 分).
        nearest = [
            c
            for c in candidates
            if c.coverage >= model.related_floor
            and max(map(general_weight, c.matched), default=0.0) >= RELATED_SPECIFIC
        ]
        return Ranked(text, candidates, answers, nearest, unknown, platform)

    def _result(self, c: Candidate, lexicon: Lexicon) -> dict[str, Any]:
        """Given an accepted candidate, return its API result with a highlighted snippet."""
        terms = {a.term for alts in c.matched.values() for a in alts}
        return {
            **_summary(c.fields),
            "snippet": make_snippet(c.fields["answer"], terms, lexicon),
            "score": round(c.rank, 4),
            "answer": c.fields["answer"],
        }

    @property
    def _english(self) -> Mapping[str, tuple[str, ...]]:
        return _LazyEnglish(self.settings.data_dir / "english.txt")

    # -- suggestions -------------------------------------------------------------------------

    @_guarded
    def suggest(self, prefix: str, *, limit: int = 8) -> dict[str, Any]:
        """Given what the user has typed so far, return {"query", "suggestions": [{"id", "title", "url"}]}."""
        if not isinstance(prefix, str) or len(prefix) > MAX_QUERY_CHARS:
            raise BadQuery(f"输入太长（最多 {MAX_QUERY_CHARS} 个字符）", "缩短输入后再试")
        check_text(prefix)  # an empty prefix is fine: it completes nothing
        check_limit(limit)
        with self._lock:
            searcher = self._open()
            if self._questions is None:
                self._questions = _load_questions(searcher)
            questions, memo = self._questions, self._suggested
        key = (prefix, limit)
        found = memo.get(key)
        if found is None:
            summaries = self._summaries
            found = tuple(
                summaries.setdefault(s["id"], s) for s in suggestions(questions, prefix, limit)
            )
            if len(prefix) <= SUGGEST_CHARS:
                with self._lock:  # BoundedDict's set-then-trim is not atomic
                    memo[key] = found
        return {"query": prefix, "suggestions": [dict(s) for s in found]}

    def memoised_suggest(self, prefix: str, *, limit: int = 8) -> dict[str, Any] | None:
        """Given a typed prefix, return its memoised completions, or None; never waits for the lock.

        Like `memoised`: only while the served generation was checked within `refresh_seconds`.
        """
        if not self._checked_lately():
            return None
        found = self._suggested.get((prefix, limit)) if isinstance(prefix, str) else None
        if found is None:
            return None
        return {"query": prefix, "suggestions": [dict(s) for s in found]}


RELATED = 3  # nearest questions offered when no answer is confident


def _json(value: Any) -> bytes:
    """Given a JSON value, return it encoded as Starlette's JSONResponse encodes (compact UTF-8)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Answer:
    """A question's answer as memoised: shared by every asking of it, so never handed out to change."""

    total: int
    results: list[dict[str, Any]]
    related: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    truncated: bool  # only the first MAX_WORDS informative words were searched
    _encoded: list[bytes] = field(default_factory=list, repr=False, compare=False)

    @property
    def top(self) -> str | None:
        """Return the best answer's id, or None when nothing answered."""
        return self.results[0]["id"] if self.results else None

    def _rest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"results": self.results, "related": self.related}
        if len(self.questions) > 1:
            out["questions"] = self.questions
        if self.truncated:
            out["truncated"] = True
        return out

    def response(self, query: str, took_ms: float) -> dict[str, Any]:
        """Given the question as asked and the milliseconds it took, return the search response (a copy)."""
        head = {"query": query, "total": self.total, "took_ms": round(took_ms, TOOK_DECIMALS)}
        return head | {
            k: [dict(r) for r in v] if isinstance(v, list) else v for k, v in self._rest().items()
        }

    def json(self, query: str, took_ms: float) -> bytes:
        """Given the question as asked and the milliseconds it took, return the response as JSON bytes.

        Byte for byte what `response` gives through JSONResponse; the part every asking shares
        is encoded once (a memoised answer is a few KB, and encoding it was most of its cost).
        """
        if not self._encoded:
            self._encoded.append(
                b"," + _json(self._rest())[1:]
            )  # a race encodes it twice: same bytes
        head = b'{"query":%s,"total":%d,"took_ms":%s' % (
            _json(query),
            self.total,
            _json(round(took_ms, TOOK_DECIMALS)),
        )
        return head + self._encoded[0]


@dataclass(frozen=True)
class Understanding:
    """What the search understands of a question: its concepts, or the other shop or uncovered
    topic it is about. Ranking reads nothing else of the question, so phrasings understood
    alike rank alike."""

    concepts: tuple[Concept, ...]
    platform: str | None


@dataclass
class Ranked:
    """One question's outcome: every candidate scored, the confident answers, the nearest ones."""

    text: str
    scored: list[Candidate]
    answers: list[Candidate]
    nearest: list[Candidate]
    unknown: float  # share of the question's information the help center never mentions
    platform: str | None  # another shop or an uncovered topic it is about: nothing ours answers it


def _summary(fields: dict[str, Any]) -> dict[str, Any]:
    """Given a document's stored fields, return what names and links it (id, title, url, category)."""
    return {k: fields[k] for k in ("id", "title", "url", "category")}


def _questions_of(text: str, lexicon: Lexicon) -> list[str]:
    """Given a message, return it whole followed by its questions when it asks more than one."""
    parts = [p.strip() for p in _QUESTION_END.split(text) if p.strip()]
    if len(parts) < 2:  # one sentence (most questions): nothing to split, nothing to segment
        return [text]
    asking = [
        p
        for p in parts
        if any(w.text not in lexicon.particles for w in segment(normalize(p), lexicon))
    ]
    return [text, *asking] if len(asking) > 1 else [text]


_QUESTION_END = re.compile(r"[。？！?!；;\n]+")


def _merge(whole: list[Candidate], parts: list[list[Candidate]]) -> list[Candidate]:
    """Given the whole message's answers and each question's, return the whole's best, then each
    question's best, then the rest of the whole's, without repeats."""
    order = [
        *whole[:1],
        *(p[0] for p in parts if p),
        *whole[1:],
        *(c for p in parts for c in p[1:]),
    ]
    seen: dict[str, Candidate] = {}
    for c in order:
        seen.setdefault(c.fields["id"], c)
    return list(seen.values())


class _LazyEnglish(Mapping[str, tuple[str, ...]]):
    """The bilingual dictionary, read on the first English word a query contains (it takes ~1 s)."""

    def __init__(self, aliases: Path) -> None:
        self.aliases = aliases

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return english_terms(self.aliases)[key]

    def __iter__(self) -> Iterator[str]:
        return iter(english_terms(self.aliases))

    def __len__(self) -> int:
        return len(english_terms(self.aliases))


class _Vocabulary:
    """The index's words as the query analysis sees them (an Engine's caches, one searcher)."""

    def __init__(self, engine: Engine, searcher: Searcher) -> None:
        self.engine, self.searcher = engine, searcher

    def has(self, term: str) -> bool:
        return self.engine._doc_frequency(self.searcher, term) > 0

    def sounding(self, key: str) -> tuple[str, ...]:
        return self.engine._sounds(self.searcher).get(key, ())

    def reading(self, letters: str, repair: bool = True) -> list[str]:
        """Given letters typed for Chinese, return the index pinyin keys they spell (per generation, once)."""
        engine = self.engine
        engine._sounds(self.searcher)
        key = (letters, repair)
        found = engine._readings.get(key)
        if found is None:
            found = tuple(read(letters, self.sounding, repair, engine._sound_starts.__contains__))
            if len(letters) <= MAX_TERM_CHARS:  # a crafted long run is read, never kept
                engine._readings[key] = found
        return list(found)

    def initials(self, key: str) -> tuple[str, ...]:
        return self.engine._by_initials(self.searcher).get(key, ())


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
# The server asks with the same Settings object on every request: that object's engine, without
# building and hashing paths (kept with the object itself, so its id is never reused meanwhile).
_LAST: list[tuple[Settings, Engine]] = []


def engine_for(settings: Settings) -> Engine:
    """Given settings, return the process's cached Engine for its index folder."""
    last = _LAST[-1] if _LAST else None
    if last is not None and last[0] is settings:
        return last[1]
    key = (Path(os.path.abspath(settings.index_dir)), settings.data_dir)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = Engine(settings)
            while len(_ENGINES) > MAX_ENGINES:
                _ENGINES.popitem(last=False)[1].close()
                _LAST.clear()  # it may have been the one evicted
        _ENGINES.move_to_end(key)
        _LAST[:] = [(settings, engine)]
        return engine


def close_engines() -> None:
    """Close every cached engine (tests and shutdown)."""
    with _ENGINES_LOCK:
        _LAST.clear()
        while _ENGINES:
            _ENGINES.popitem()[1].close()


def memoised_suggest(settings: Settings, prefix: str, *, limit: int = 8) -> dict[str, Any] | None:
    """Given settings and a typed prefix, return its memoised completions without waiting, or None."""
    return engine_for(settings).memoised_suggest(prefix, limit=limit)


def memoised(
    settings: Settings, query: str, *, limit: int = 10, category: str | None = None
) -> Answer | None:
    """Given settings and a question, return its memoised answer without waiting, or None."""
    return engine_for(settings).memoised(query, limit=limit, category=category)


def search(
    settings: Settings, query: str, *, limit: int = 10, category: str | None = None
) -> dict[str, Any]:
    """Given settings and a question, return {"query", "total", "took_ms", "results": [...]}."""
    return engine_for(settings).search(query, limit=limit, category=category)


def answer(
    settings: Settings, query: str, *, limit: int = 10, category: str | None = None
) -> tuple[Answer, float]:
    """Given settings and a question, return its shared Answer and the milliseconds it took."""
    return engine_for(settings).answer(query, limit=limit, category=category)


def suggest(settings: Settings, prefix: str, *, limit: int = 8) -> dict[str, Any]:
    """Given settings and a typed prefix, return {"query", "suggestions": [...]}."""
    return engine_for(settings).suggest(prefix, limit=limit)


def query_concepts(settings: Settings, query: str) -> list[frozenset[str]]:
    """Given settings and a query, return its concepts as sets of index words (for grouping queries)."""
    return engine_for(settings).concepts(query)


def warm(settings: Settings, english: bool = False) -> None:
    """Given settings, load the index and dictionaries now rather than on the first search."""
    engine_for(settings).warm(english)


def known_ids(settings: Settings) -> dict[str, str]:
    """Given settings, return {result id: kind} of the index currently served."""
    return engine_for(settings).known_ids()


def index_info(settings: Settings) -> IndexInfo:
    """Given settings, return {"version", "documents"} of the index currently served."""
    return engine_for(settings).info()
