"""Pinyin typed for Chinese: the index words a run of letters spells, with one typo, or by initials."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

SYLLABLES_FILE = Path(__file__).parent / "data" / "syllables.txt"
MAX_KEY = 24  # letters of the longest index word's pinyin worth trying
MAX_TYPO_LETTERS = (
    16  # one-typo repair is tried on runs up to this long (its cost grows with length)
)
_VOWELS = frozenset("aeiouv")

Lookup = Callable[[str], tuple[str, ...]]  # a pinyin key (or initials) → index words
Starts = Callable[[str], bool]  # whether some index word's pinyin key begins with these letters


def _any_start(letters: str) -> bool:
    return True


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Return every toneless pinyin syllable (generated from pypinyin by scripts/make_syllables.py)."""
    lines = SYLLABLES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s for s in lines if s and not s.startswith("#"))


@lru_cache(maxsize=1)
def syllable_starts() -> frozenset[str]:
    """Return every beginning of a pinyin syllable (zh, zhu, zhua, …)."""
    return frozenset(s[:n] for s in syllables() for n in range(1, len(s) + 1))


def is_pinyin(text: str) -> bool:
    """Given letters, return whether they split wholly into pinyin syllables."""
    ok = [True] + [False] * len(text)
    known = syllables()
    for i in range(len(text)):
        if ok[i]:
            for j in range(i + 1, min(len(text), i + 6) + 1):
                if text[i:j] in known:
                    ok[j] = True
    return ok[len(text)]


def spell(text: str, sounding: Lookup, starts: Starts = _any_start) -> tuple[int, list[str]] | None:
    """Given letters, return (letters covered, index pinyin keys) of the best reading, else None.

    A reading splits the letters wholly into index words' pinyin keys and leftover syllables
    (吗 ma, 谁 shei): the most letters in keys wins, then the fewest keys. `starts` lets it stop
    extending a piece that no key and no syllable begins with (the same reading, found sooner).
    """
    known, beginnings = syllables(), syllable_starts()
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(text) + 1)
    best[0] = (0, 0, [])
    for i in range(len(text)):
        if best[i] is None:
            continue
        covered, count, keys = best[i]  # type: ignore[misc]
        for j in range(i + 1, min(len(text), i + MAX_KEY) + 1):
            piece = text[i:j]
            if j - i >= 2 and sounding(piece):
                option = (covered + j - i, count - 1, [*keys, piece])
            elif piece in known:
                option = (covered, count, keys)
            elif piece in beginnings or starts(piece):
                continue
            else:
                break  # nothing longer from here is a key or a syllable either
            if best[j] is None or option[:2] > best[j][:2]:  # type: ignore[index]
                best[j] = option
    end = best[len(text)]
    if end is None or not end[2]:
        return None
    return end[0], end[2]


def _edits(text: str) -> dict[str, int]:
    """Given letters, return every string one edit away, with the edit's rank (likeliest first).

    Swapped neighbours are the commonest typo in fast pinyin (tuikaun), then a letter too many or
    too few, then a wrong letter.
    """
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(text[:i], text[i:]) for i in range(len(text) + 1)]
    ranked: dict[str, int] = {}
    for rank, group in enumerate(
        (
            (a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
            (a + b[1:] for a, b in splits if b),
            (a + c + b for a, b in splits for c in letters),
            (a + c + b[1:] for a, b in splits if b for c in letters),
        )
    ):
        for edit in group:
            if edit != text:
                ranked.setdefault(edit, rank)
    return ranked


def read(
    text: str, sounding: Lookup, repair: bool = True, starts: Starts = _any_start
) -> list[str]:
    """Given letters typed for Chinese, return the index pinyin keys they spell, repairing one typo.

    Without a whole reading, or with letters left outside index words, the one-edit variant that
    puts the most letters into index words wins (tuikaun → tuikuan → 退款).
    """
    found = spell(text, sounding, starts)
    if found and found[0] == len(text):
        return found[1]
    if not repair or len(text) < 4 or len(text) > MAX_TYPO_LETTERS:
        return found[1] if found else []
    repaired = [(r, rank) for e, rank in _edits(text).items() if (r := spell(e, sounding, starts))]
    best = max(repaired, key=lambda r: (r[0][0], -len(r[0][1]), -r[1]), default=None)
    if best and (not found or best[0][0] > found[0]):
        return best[0][1]
    return found[1] if found else []


def looks_like_initials(text: str) -> bool:
    """Given letters, return whether they can only be pinyin initials (thyf: no vowel at all)."""
    return 2 <= len(text) <= 10 and not (_VOWELS & set(text)) and text.isascii()


def read_initials(text: str, initials: Lookup) -> list[str]:
    """Given pinyin initials (qxdd), return the initials keys of index words they spell.

    The most letters inside index words win, then the fewest words; a letter may stand for a
    word the pages lack (tkmdz: tk 退款, m 没, dz 到账).
    """
    best: list[tuple[int, int, list[str]] | None] = [None] * (len(text) + 1)
    best[0] = (0, 0, [])
    for i in range(len(text)):
        if best[i] is None:
            continue
        covered, count, keys = best[i]  # type: ignore[misc]
        options = [(j, text[i:j]) for j in range(i + 2, min(len(text), i + 4) + 1)]
        for j, key in [*options, (i + 1, "")]:
            if key and not initials(key):
                continue
            option = (
                covered + len(key),
                count - 1 if key else count,
                [*keys, key] if key else keys,
            )
            if best[j] is None or option[:2] > best[j][:2]:  # type: ignore[index]
                best[j] = option
    end = best[len(text)]
    return end[2] if end and end[0] * 2 > len(text) else []
