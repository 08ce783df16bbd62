"""From what a shopper typed to weighted concepts and Whoosh query objects (never Whoosh syntax)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from whoosh import query as wq

from .analyzer import Word, is_latin, normalize, pinyin_key, segment
from .errors import BadQuery, UnknownCategory
from .lexicon import Lexicon
from .schema import TEXT_FIELDS

_HAN = re.compile(r"[\u3400-\u9fff]")
MAX_QUERY_CHARS = 1000
MAX_LIMIT = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# How much an alternative form of a query word counts, relative to the word itself.
PART_WEIGHT = 0.5  # a sub-word (订单 of 订单号)
SYNONYM_WEIGHT = 0.85  # the editors' standard word for a variant (撤单 → 取消)
PINYIN_WEIGHT = 0.9  # a pinyin query word (tuihuo → 退货)
HOMOPHONE_WEIGHT = 0.8  # a same-sounding typo (清观 → 清关)
SUBWORD_FIELDS = ("title", "phrasings")


class Vocabulary(Protocol):
    """What the index knows: its words, and its words by pinyin key (qingguan → 清关)."""

    def has(self, term: str) -> bool: ...

    def sounding(self, key: str) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Alternative:
    """One form a query concept may take in the index: an index word, with a weight."""

    term: str
    weight: float
    share: float = 1.0  # the part of the query word it stands for (a sub-word: its length share)


@dataclass(frozen=True)
class Concept:
    """One informative unit of the query and the index forms it matches (none: out of vocabulary)."""

    label: str
    alternatives: tuple[Alternative, ...]

    @property
    def known(self) -> bool:
        return bool(self.alternatives)

    @property
    def primary(self) -> str | None:
        """The concept's own word when it is in the index (used for phrase proximity)."""
        best = self.alternatives[0] if self.alternatives else None
        return best.term if best and best.weight == 1.0 else None


def validate(query: object, limit: object, category: object, categories: Iterable[str]) -> str:
    """Given raw request values, return the cleaned query or raise BadQuery / UnknownCategory."""
    if not isinstance(query, str) or not query.strip():
        raise BadQuery("搜索内容不能为空", "输入想问的问题，例如“退货运费谁出”")
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(
            f"搜索内容太长（{len(query)} 个字符，最多 {MAX_QUERY_CHARS} 个）",
            "只保留和问题有关的部分，或分成几次搜索",
        )
    if _CONTROL.search(query):
        raise BadQuery("搜索内容里有控制字符", "去掉不可见的控制字符后再搜索")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadQuery(f"结果条数 limit 必须是 1–{MAX_LIMIT} 的整数", "例如 limit=10")
    if category is not None and category not in set(categories):
        raise UnknownCategory(f"没有这个分类：{category}", "可用的分类：" + "、".join(categories))
    return query.strip()


def split_pinyin(text: str, vocab: Vocabulary) -> list[str] | None:
    """Given a run of letters like qingguanshenfenzheng, return the fewest index pinyin keys spelling it."""
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    for i in range(len(text)):
        if best[i] is None:
            continue
        for j in range(len(text), i + 1, -1):  # keys are at least two letters
            key = text[i:j]
            if vocab.sounding(key):
                candidate = [*best[i], key]  # type: ignore[misc]
                if best[j] is None or len(candidate) < len(best[j]):  # type: ignore[arg-type]
                    best[j] = candidate
    return best[len(text)]


def _word_alternatives(word: Word, lexicon: Lexicon, vocab: Vocabulary) -> list[Alternative]:
    """Given a query word, return its in-index forms: itself, its sub-words and their synonyms."""
    alts: list[Alternative] = []
    forms = [(word.text, 1.0, 1.0)] + [
        (p, PART_WEIGHT, len(p) / len(word.text)) for p in word.parts if p not in lexicon.particles
    ]
    for form, weight, share in forms:
        if vocab.has(form):
            alts.append(Alternative(form, weight, share))
        for canonical in lexicon.synonyms.get(form, ()):
            if vocab.has(canonical):
                alts.append(Alternative(canonical, weight * SYNONYM_WEIGHT, share))
    seen: dict[str, Alternative] = {}
    for a in alts:  # one entry per term, the heaviest
        if a.term not in seen or seen[a.term].weight < a.weight:
            seen[a.term] = a
    return sorted(seen.values(), key=lambda a: -a.weight)


def _sounding(label: str, key: str, weight: float, vocab: Vocabulary) -> Concept:
    """Given what was typed and its pinyin key, return a concept for the index words that sound so."""
    return Concept(label, tuple(Alternative(w, weight) for w in vocab.sounding(key)))


def _homophones(
    text: str, words: list[Word], unknown: list[bool], vocab: Vocabulary
) -> dict[int, Concept]:
    """Given the query, its words and which are unknown, return same-sounding index words by word index.

    Around each unknown Chinese word, the longest window of 2–4 Chinese characters whose pinyin
    is that of an index word replaces it (清观 → 清关, 身分证 → 身份证, 运废 → 运费), even when
    the typo made jieba cut its neighbour wrongly (退|货运|废).
    """
    found: dict[int, Concept] = {}
    for n, word in enumerate(words):
        if not unknown[n] or not word.is_han or n in found:
            continue
        best: tuple[int, int] | None = None
        for size in (4, 3, 2):
            for start in range(max(0, word.end - size), min(word.start, len(text) - size) + 1):
                window = text[start : start + size]
                if len(window) < size or not all(_HAN.match(c) for c in window):
                    continue
                key = pinyin_key(window)
                if key and not vocab.has(window) and vocab.sounding(key):
                    best = (start, start + size)
                    break
            if best:
                break
        if best:
            window = text[best[0] : best[1]]
            concept = _sounding(window, pinyin_key(window) or "", HOMOPHONE_WEIGHT, vocab)
            for m, other in enumerate(words):  # unknown words inside the window join it
                if unknown[m] and best[0] <= other.start and other.end <= best[1]:
                    found[m] = concept
            found[n] = concept
    return found


def analyze_query(text: str, lexicon: Lexicon, vocab: Vocabulary) -> list[Concept]:
    """Given a query, return its informative concepts in order (particles dropped, duplicates merged)."""
    text = normalize(text)  # so that word spans index `text` directly
    words = [w for w in segment(text, lexicon) if w.text not in lexicon.particles]
    alternatives = [_word_alternatives(w, lexicon, vocab) for w in words]
    unknown = [not any(a.weight == 1.0 for a in alts) for alts in alternatives]
    sounds = _homophones(text, words, unknown, vocab)
    concepts: list[Concept] = []
    for n, (word, alts) in enumerate(zip(words, alternatives, strict=True)):
        if n in sounds:
            concepts.append(sounds[n])
        elif not alts and is_latin(word.text) and (keys := split_pinyin(word.text, vocab)):
            concepts += [_sounding(k, k, PINYIN_WEIGHT, vocab) for k in keys]
        else:
            concepts.append(Concept(word.text, tuple(alts)))
    return list({c.label: c for c in concepts}.values())


def _or(subqueries: list[wq.Query]) -> wq.Query:
    """Given queries, return their OR as a tree of union matchers (cheaper than Whoosh's
    preloaded arrays for a few terms on a small index)."""
    q = wq.Or(subqueries)
    q.matcher_type = wq.Or.DEFAULT_MATCHER
    return q


def alternative_query(alt: Alternative) -> wq.Query:
    """Given one form of a concept, return the query for it over the text fields.

    A sub-word is looked up in the short question fields only: in the body it would cost a
    matcher for little (coverage still credits it there, from the stored words).
    """
    fields = TEXT_FIELDS if alt.share == 1.0 else SUBWORD_FIELDS
    return _or([wq.Term(f, alt.term, boost=alt.weight * TEXT_FIELDS[f]) for f in fields])


def concept_query(concept: Concept) -> wq.Query:
    """Given a concept, return a query scoring its best-matching form, each field weighted."""
    forms = [alternative_query(a) for a in concept.alternatives]
    # The best form counts (a word and its synonym are one meaning, not two matches).
    return wq.DisjunctionMax(forms, tiebreak=0.1) if len(forms) > 1 else forms[0]


def full_query(concepts: list[Concept]) -> wq.Query:
    """Given concepts, return the OR of their queries (every known concept counts; none is required)."""
    subs = [concept_query(c) for c in concepts if c.known]
    return _or(subs) if subs else wq.NullQuery
