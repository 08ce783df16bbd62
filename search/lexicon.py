"""The editors' word lists: domain words (for jieba), query-time synonyms (with regional vocabulary and
support-desk shorthand), weightless particles, and other shops' names."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .datafiles import require
from .errors import KbError
from .memo import prepared

# The files of a data folder, by role. Every file that shapes how text is cut or looked up is
# part of the fingerprint, so an index built with other lists is known to be stale.
WORDS = "words.txt"
SYNONYM_FILES = ("synonyms.txt", "regional.txt", "desk.txt")  # all `标准词: 说法, 说法`
PARTICLES = "particles.txt"
PLATFORMS = "platforms.txt"
UNCOVERED = "uncovered.txt"
DATA_FILES = (WORDS, *SYNONYM_FILES, PARTICLES, PLATFORMS, UNCOVERED)


@dataclass(frozen=True)
class Lexicon:
    """Domain words file, synonyms (variant → canonical words), particles and other platforms' names."""

    words_file: Path
    synonyms: dict[str, tuple[str, ...]]
    particles: frozenset[str]
    fingerprint: str
    platforms: frozenset[str] = frozenset()
    uncovered: tuple[
        tuple[str, ...], ...
    ] = ()  # topics without an answer, each as words all present


def _data_lines(path: Path) -> list[tuple[int, str]]:
    """Given a data file, return its (line number, text) pairs without blanks and # comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise KbError(f"读不了词表 {path}：{e}", "确认 search/data/ 下的文件存在且是 UTF-8") from e
    lines = ((n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1))
    return [(n, line) for n, line in lines if line]


def parse_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    """Given synonyms.txt (`标准词: 说法1, 说法2`), return variant → canonical words."""
    table: dict[str, list[str]] = {}
    for n, line in _data_lines(path):
        canonical, sep, variants = line.partition(":")
        if not sep:
            canonical, sep, variants = line.partition("：")
        canonical = canonical.strip()
        if not sep or not canonical:
            raise KbError(
                f"{path}:{n}: 同义词行格式不对：{line}",
                "每行写成 “标准词: 说法1, 说法2”（标准词必须是帮助页面里出现的词）",
            )
        for variant in variants.replace("，", ",").replace("、", ",").split(","):
            variant = variant.strip()
            if variant and variant != canonical:
                table.setdefault(variant, []).append(canonical)
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


def parse_particles(path: Path) -> frozenset[str]:
    """Given particles.txt (words separated by spaces or lines), return the set of particles."""
    return frozenset(word for _, line in _data_lines(path) for word in line.split())


def parse_names(path: Path) -> frozenset[str]:
    """Given platforms.txt (one name per line; variants after commas), return the normalised names."""
    from .analyzer import normalize

    names = (n.strip() for _, line in _data_lines(path) for n in line.replace("，", ",").split(","))
    return frozenset(normalize(n) for n in names if n)


@lru_cache(maxsize=8)
def _load(data_dir: Path, stamp: tuple[float, ...]) -> Lexicon:
    require(*(data_dir / name for name in DATA_FILES))  # a broken file: a file:line message
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update((data_dir / name).read_bytes())
    synonyms: dict[str, tuple[str, ...]] = {}
    for name in SYNONYM_FILES:
        for variant, canonicals in parse_synonyms(data_dir / name).items():
            synonyms[variant] = tuple(dict.fromkeys((*synonyms.get(variant, ()), *canonicals)))
    return Lexicon(
        data_dir / WORDS,
        synonyms,
        parse_particles(data_dir / PARTICLES),
        digest.hexdigest()[:16],
        parse_names(data_dir / PLATFORMS),
        tuple(tuple(n.split("+")) for n in sorted(parse_names(data_dir / UNCOVERED))),
    )


@lru_cache(maxsize=1)
def general_idf() -> dict[str, float]:
    """Return jieba's general-Chinese IDF table (word → idf): how informative a word is in general."""
    import jieba  # its package data, read directly: `import jieba.analyse` warns and loads more

    path = Path(jieba.__file__).parent / "analyse" / "idf.txt"

    def build() -> dict[str, float]:
        table: dict[str, float] = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                word, _, value = line.rstrip().partition(" ")
                table[word] = float(value)
        return table

    return prepared(f"idf-{jieba.__version__}.marshal", build)


_RECENT: dict[Path, tuple[float, Lexicon]] = {}
RECHECK_SECONDS = (
    1.0  # every query asks for the lexicon: look at the files' times at most this often
)


def load_lexicon(data_dir: Path) -> Lexicon:
    """Given the data folder, return its Lexicon (re-read when a file changes)."""
    now = time.monotonic()
    recent = _RECENT.get(data_dir)
    if recent and now - recent[0] < RECHECK_SECONDS:
        return recent[1]
    lexicon = _stat_and_load(data_dir)
    _RECENT[data_dir] = (now, lexicon)
    return lexicon


def _stat_and_load(data_dir: Path) -> Lexicon:
    try:
        stamp = tuple((data_dir / name).stat().st_mtime_ns for name in DATA_FILES)
    except OSError as e:
        raise KbError(
            f"缺少词表文件：{e.filename}", "search/data/ 下应有 " + "、".join(DATA_FILES)
        ) from e
    return _load(data_dir, stamp)
