"""From what a shopper typed to weighted concepts and Whoosh query objects (never Whoosh syntax)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from .analyzer import HAN, Word, is_latin, normalize, pinyin_key, segment
from .errors import BadQuery, UnknownCategory
from .lexicon import Lexicon
from .pinyin import MAX_TYPO_LETTERS, is_pinyin, looks_like_initials, read_initials
from .redaction import strip_identifiers

MAX_QUERY_CHARS = 1000
MAX_LIMIT = 50
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# How much an alternative form of a query word counts, relative to the word itself.
PART_WEIGHT = 0.5  # a sub-word (订单 of 订单号)
SYNONYM_WEIGHT = 0.85  # the editors' standard word for a variant (撤单 → 取消)
PINYIN_WEIGHT = 0.9  # a pinyin query word (tuihuo → 退货)
HOMOPHONE_WEIGHT = 0.8  # a same-sounding typo (清观 → 清关)
ENGLISH_WEIGHT = 0.85  # an index word a bilingual dictionary gives for an English term
INITIALS_WEIGHT = 0.6  # an index word whose pinyin initials were typed (qx → 取消): often ambiguous
# A question naming another shop is not ours to answer, unless it also names ours.
OUR_NAMES = ("海外购", "亚马逊", "amazon", "haiwaigou", "yamaxun")
_LATIN_WORD = re.compile(r"[a-z]+")
# The work per query is bounded: the first MAX_WORDS informative words are analysed (a pasted
# page of text would otherwise cost a second), and at most MAX_REPAIRS pinyin typos repaired.
MAX_WORDS = 64
MAX_REPAIRS = 4


class Vocabulary(Protocol):
    """What the index knows: its words, by pinyin key (qingguan → 清关) and by initials (qg → 清关)."""

    def has(self, term: str) -> bool: ...

    def sounding(self, key: str) -> tuple[str, ...]: ...

    def reading(self, letters: str, repair: bool = True) -> list[str]:
        """Given letters typed for Chinese, return the index pinyin keys they spell (`pinyin.read`)."""
        ...

    def initials(self, key: str) -> tuple[str, ...]: ...


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


def check_text(text: str) -> None:
    """Given typed text, raise BadQuery if it is too long or holds control characters."""
    # Counted after NFKC, as the analysis sees it: one ﷺ (U+FDFA) becomes 18 characters.
    length = max(len(text), len(unicodedata.normalize("NFKC", text)))
    if length > MAX_QUERY_CHARS:
        raise BadQuery(
            f"搜索内容太长（{length} 个字符，最多 {MAX_QUERY_CHARS} 个）",
            "只保留和问题有关的部分，或分成几次搜索",
        )
    if _CONTROL.search(text):
        raise BadQuery("搜索内容里有控制字符", "去掉不可见的控制字符后再搜索")


def check_limit(limit: object) -> None:
    """Given a requested number of results, raise BadQuery unless it is a whole 1–MAX_LIMIT."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadQuery(f"结果条数 limit 必须是 1–{MAX_LIMIT} 的整数", "例如 limit=10")


def validate(query: object, limit: object, category: object, categories: Iterable[str]) -> str:
    """Given raw request values, return the cleaned query or raise BadQuery / UnknownCategory."""
    if not isinstance(query, str) or not query.strip():
        raise BadQuery("搜索内容不能为空", "输入想问的问题，例如“退货运费谁出”")
    check_text(query)
    check_limit(limit)
    if category is not None and category not in set(categories):
        raise UnknownCategory(f"没有这个分类：{category}", "可用的分类：" + "、".join(categories))
    return query.strip()


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
                if len(window) < size or not all(HAN.match(c) for c in window):
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


def _latin_concepts(
    run: list[Word],
    lexicon: Lexicon,
    vocab: Vocabulary,
    english: Mapping[str, tuple[str, ...]],
    budget: list[int],
) -> list[Concept]:
    """Given consecutive latin words none of which is an index word, return their concepts.

    English terms (two-word ones first) become the index words a bilingual dictionary gives for
    them; the rest is read as pinyin, word by word or joined (shen fen zheng), with one typo
    repaired, or as pinyin initials (thyf). Leftover syllables (ma, ne) weigh nothing.
    """
    out: list[Concept] = []
    texts = [w.text for w in run]
    i = 0
    while i < len(texts):
        for size in (2, 1):
            term = " ".join(texts[i : i + size])
            if len(texts[i : i + size]) == size and (known := _known(english.get(term, ()), vocab)):
                out.append(Concept(term, tuple(Alternative(t, ENGLISH_WEIGHT) for t in known)))
                i += size
                break
        else:
            word = texts[i]
            # An English word the pages don't use is not pinyin: it counts against a match.
            repair = budget[0] > 0
            if is_pinyin(word) or not english.get(word):
                keys = vocab.reading(word, repair)
                budget[0] -= repair and not is_pinyin(word)
            else:
                keys = []
            joined = "".join(texts[i:])
            if len(texts) - i > 1 and is_pinyin(joined) and len(joined) <= MAX_TYPO_LETTERS:
                whole = vocab.reading(joined)  # spaced syllables: shen fen zheng
                if sum(map(len, whole)) > sum(map(len, keys)) + len(texts[i]):
                    out += [_sounding(k, k, PINYIN_WEIGHT, vocab) for k in whole]
                    break
            if keys:
                out += [_sounding(k, k, PINYIN_WEIGHT, vocab) for k in keys]
            elif looks_like_initials(word) and (parts := read_initials(word, vocab.initials)):
                for k in parts:  # one word with these initials is as sure as its pinyin
                    words = vocab.initials(k)
                    weight = PINYIN_WEIGHT if len(words) == 1 else INITIALS_WEIGHT
                    out.append(Concept(k, tuple(Alternative(t, weight) for t in words)))
            elif word not in lexicon.particles and (not is_pinyin(word) or len(word) >= 4):
                # An unknown word, or pinyin of words the pages don't use (fapiao): it counts
                # against a match. Short leftover syllables (ma, yao) weigh nothing.
                out.append(Concept(word, ()))
            i += 1
    return out


def _known(terms: Iterable[str], vocab: Vocabulary) -> list[str]:
    """Given candidate index words, return those the index has (at most three, best first)."""
    return [t for t in terms if vocab.has(t)][:3]


def truncated(text: str, lexicon: Lexicon) -> bool:
    """Given a query, return whether it has more informative words than are analysed."""
    words = segment(strip_noise(text), lexicon)
    return sum(1 for w in words if w.text not in lexicon.particles) > MAX_WORDS


def strip_noise(text: str) -> str:
    """Given raw query text, return it normalised with identifiers (order, phone, ID numbers) removed.

    They say nothing about the question and must never count as words the pages lack.
    """
    return normalize(strip_identifiers(text))


def other_platform(text: str, lexicon: Lexicon) -> str | None:
    """Given a normalised query, return the other shop or platform it names, unless it names ours."""
    if any(own in text for own in OUR_NAMES):
        return None
    latin, others = _platform_finder(lexicon.platforms)
    found = latin.intersection(_LATIN_WORD.findall(text))
    if found:
        return min(found)
    named = others.search(text) if others else None
    return named.group() if named else None


@lru_cache(maxsize=8)
def _platform_finder(names: frozenset[str]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """Given the platforms' names, return the Latin ones (matched as whole words) and one pattern
    for the rest (matched anywhere): a query is then read once, not once per name."""
    latin = frozenset(n for n in names if n.isascii())
    others = sorted((n for n in names if not n.isascii()), key=lambda n: (-len(n), n))
    return latin, re.compile("|".join(map(re.escape, others))) if others else None


def uncovered_topic(text: str, lexicon: Lexicon, vocab: Vocabulary) -> str | None:
    """Given a normalised query, return the topic without an answer it asks about (uncovered.txt).

    A one-word topic the pages now use is covered after all (a new page about Prime).
    Entries match words or their dictionary pieces (地址 of 收货地址), never any two characters
    (a topic word that is a piece of one of the pages' words would shadow it), or longer phrases
    anywhere (gift card, 走到哪).
    """
    words = {form for w in segment(text, lexicon) for form in (w.text, *w.parts)}
    for parts in lexicon.uncovered:
        if not all(p in words or (len(p) > 2 and p in text) for p in parts):
            continue
        if len(parts) == 1 and vocab.has(parts[0]):  # asked only of the topics the query names
            continue
        return "+".join(parts)
    return None


def analyze_query(
    text: str,
    lexicon: Lexicon,
    vocab: Vocabulary,
    english: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Concept]:
    """Given a query, return its informative concepts in order (particles dropped, duplicates merged)."""
    text = strip_noise(text)  # normalised, so that word spans index `text` directly
    words = [w for w in segment(text, lexicon) if w.text not in lexicon.particles][:MAX_WORDS]
    # A bare number (a ticket number, an amount) names no topic unless the pages use it (15 天).
    words = [w for w in words if not w.text.isdigit() or vocab.has(w.text)]
    alternatives = [_word_alternatives(w, lexicon, vocab) for w in words]
    unknown = [not any(a.weight == 1.0 for a in alts) for alts in alternatives]
    sounds = _homophones(text, words, unknown, vocab)
    concepts: list[Concept] = []
    run: list[Word] = []
    budget = [MAX_REPAIRS]  # pinyin typo repairs left for this query
    for n, (word, alts) in enumerate(zip(words, alternatives, strict=True)):
        if not alts and is_latin(word.text):
            run.append(word)
            continue
        if run:
            concepts += _latin_concepts(run, lexicon, vocab, english or {}, budget)
            run = []
        if n in sounds:
            concepts.append(sounds[n])
        else:
            concepts.append(Concept(word.text, tuple(alts)))
    if run:
        concepts += _latin_concepts(run, lexicon, vocab, english or {}, budget)
    return list({c.label: c for c in concepts}.values())
