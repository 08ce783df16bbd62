"""Text analysis shared by indexing and querying: normalisation, jieba words, token positions, pinyin."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jieba
from opencc import OpenCC
from whoosh.analysis import Token, Tokenizer

from .lexicon import Lexicon, load_lexicon
from .memo import memo, prepared

jieba.setLogLevel(logging.WARNING)  # the "Building prefix dict" chatter is not for users

# Bump when analysis changes in a way that makes existing indexes stale.
ANALYZER_VERSION = "1"

_T2S = OpenCC("t2s")
# Every CJK ideograph block (the basic block, extension A, compatibility ideographs, and the
# supplementary planes' extensions B–H): the one Han pattern of the package.
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f\U00030000-\U000323af"
HAN = re.compile(f"[{HAN_CHARS}]")
_HAN = HAN
_ALL_HAN = re.compile(f"[{HAN_CHARS}]+")
_LATIN = re.compile(r"[a-z]+")
_SEGMENTERS: dict[str, jieba.Tokenizer] = {}
_SEGMENTER_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a text: normalised text, its span in the original text, and in-dictionary sub-words."""

    text: str
    start: int
    end: int
    parts: tuple[str, ...] = ()

    @property
    def is_han(self) -> bool:
        return bool(_HAN.search(self.text))


@memo(maxsize=8192, max_chars=128)
def normalize(text: str) -> str:
    """Given any text, return it simplified (t2s), half-width (NFKC) and case-folded."""
    return _T2S.convert(unicodedata.normalize("NFKC", text).casefold())


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Given text, return (normalised text, index in `text` of each normalised character + end)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if len(folded) == len(text):
        offsets = list(range(len(text) + 1))
    else:  # NFKC expanded or merged characters: map them one by one
        pieces = [unicodedata.normalize("NFKC", c).casefold() for c in text]
        folded = "".join(pieces)
        offsets = [i for i, p in enumerate(pieces) for _ in p] + [len(text)]
    simplified = _T2S.convert(folded)
    if len(simplified) != len(folded):  # a phrase conversion changed the length: go char by char
        simplified = "".join(_T2S.convert(c) or c for c in folded)
        if len(simplified) != len(folded):
            simplified = folded
    return simplified, offsets


def _prepared(lexicon: Lexicon) -> jieba.Tokenizer:
    """Given the lexicon, return a jieba tokenizer with jieba's and the domain's words.

    Built once per lexicon version and kept as a marshal file: loading it takes a fifth of
    jieba's own start (which reads its cache with marshal.load on a file object).
    """

    def build() -> tuple[dict[str, int], int]:
        tok = jieba.Tokenizer()
        tok.initialize()
        tok.load_userdict(str(lexicon.words_file))
        # Synonyms, particles (工单, 点解) and other shops' names must be whole words to be
        # looked up; jieba suggests a frequency.
        names = [n for n in lexicon.platforms if not n.isascii()]
        for variant, canonicals in lexicon.synonyms.items():
            for word in (variant, *canonicals):
                if word not in tok.FREQ or not tok.FREQ[word]:
                    tok.add_word(normalize(word))
        for word in (*lexicon.particles, *names):
            if len(word) > 1 and not word.isascii() and not tok.FREQ.get(word):
                tok.add_word(word)
        return tok.FREQ, tok.total

    tok = jieba.Tokenizer()
    name = f"segmenter-{jieba.__version__}-{lexicon.fingerprint}.marshal"
    tok.FREQ, tok.total = prepared(name, build)
    tok.initialized = True
    return tok


def segmenter(lexicon: Lexicon) -> jieba.Tokenizer:
    """Given the lexicon, return a private jieba tokenizer that knows the domain words and synonyms."""
    # Keyed by content: checkouts (replicas, test copies) with the same word lists share one
    # tokenizer instead of each paying jieba's half-second start.
    key = lexicon.fingerprint
    found = _SEGMENTERS.get(key)
    if found is not None:
        return found
    with _SEGMENTER_LOCK:
        if key not in _SEGMENTERS:
            _SEGMENTERS[key] = _prepared(lexicon)
        return _SEGMENTERS[key]


def prime_jieba(lexicon: Lexicon) -> None:
    """Given the lexicon, give jieba's global tokenizer (Material's search plugin cuts with it)
    the prepared dictionary, so a build does not load jieba's own a second time."""
    if not jieba.dt.initialized:
        tok = segmenter(lexicon)
        jieba.dt.FREQ, jieba.dt.total = dict(tok.FREQ), tok.total
        jieba.dt.initialized = True


@memo(maxsize=2048, max_chars=128)
def _segment(text: str, data_dir: Path, fingerprint: str) -> tuple[Word, ...]:
    tok = segmenter(load_lexicon(data_dir))
    norm, offsets = normalize_with_offsets(text)
    words: list[Word] = []
    for w, s, e in tok.tokenize(norm, HMM=False):  # HMM off: the same cut at index and query time
        if not any(c.isalnum() for c in w):
            continue
        words.append(Word(w, offsets[s], offsets[e], _parts(w, tok.FREQ)))
    return tuple(words)


def _parts(word: str, freq: dict[str, int]) -> tuple[str, ...]:
    """Given a long word, return its in-dictionary 2- and 3-character pieces (jieba's search mode)."""
    if len(word) <= 2 or not _HAN.search(word):
        return ()
    grams = (word[i : i + n] for n in (2, 3) if len(word) > n for i in range(len(word) - n + 1))
    return tuple(dict.fromkeys(g for g in grams if freq.get(g)))


def segment(text: str, lexicon: Lexicon) -> tuple[Word, ...]:
    """Given text, return its words in order (index = token position), with original-text spans."""
    return _segment(text, lexicon.words_file.parent, lexicon.fingerprint)


@memo(maxsize=4096, max_chars=400)
def _passage(text: str, data_dir: Path, fingerprint: str) -> tuple[Word, ...]:
    return _segment.__wrapped__(text, data_dir, fingerprint)


def segment_passage(text: str, lexicon: Lexicon) -> tuple[Word, ...]:
    """Given a passage of the pages (an answer's paragraph), return its words, kept apart from
    queries' words: the pages' passages are few and shown again and again."""
    return _passage(text, lexicon.words_file.parent, lexicon.fingerprint)


@memo(maxsize=16384, max_chars=32)
def pinyin_key(word: str) -> str | None:
    """Given a Chinese word, return its toneless pinyin without spaces (清关 → qingguan), else None."""
    if not _ALL_HAN.fullmatch(word):
        return None
    from pypinyin import lazy_pinyin  # 0.3 s to import: only when pinyin is needed

    return "".join(lazy_pinyin(word))


@memo(maxsize=16384, max_chars=32)
def pinyin_initials(text: str) -> str:
    """Given text, return the pinyin initial of each Chinese character and other letters (退货 → th)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore") if p)


def is_latin(word: str) -> bool:
    """Given a normalised word, return whether it is made of a–z only (a pinyin candidate)."""
    return bool(_LATIN.fullmatch(word))


class WordTokenizer(Tokenizer):
    """Whoosh tokenizer: jieba words, and their sub-words at the same position.

    Positions are word indexes, not character offsets, so phrase and proximity queries work;
    a sub-word carries its whole word's character span, so highlighting marks whole words.
    """

    def __init__(self, data_dir: str) -> None:
        self.data_dir = data_dir  # a path, not the lexicon: the schema is pickled into the index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WordTokenizer) and other.data_dir == self.data_dir

    def __hash__(self) -> int:
        return hash(self.data_dir)

    def __call__(  # whoosh's analyzer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ):
        lexicon = load_lexicon(Path(self.data_dir))
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, word in enumerate(segment(value, lexicon)):
            for text in (word.text, *word.parts):
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = start_pos + pos
                if chars:
                    t.startchar = start_char + word.start
                    t.endchar = start_char + word.end
                yield t
