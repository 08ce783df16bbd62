"""Index maintenance: build or incrementally update the Whoosh index from docs/, one writer at a time."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError
from whoosh.writing import CLEAR

from .analyzer import ANALYZER_VERSION, normalize, pinyin_initials, segment
from .contracts import IndexStats
from .docwords import encode_words
from .errors import IndexBusy, IndexCorrupt, index_errors
from .lexicon import load_lexicon
from .lockfile import exclusive
from .page import Page, Section, html_to_text, load_pages, searchable_html
from .schema import INDEX_NAME, TEXT_FIELDS, make_schema
from .settings import Settings
from .site import (
    INDEX,
    activate_release,
    carry_index,
    discard_release,
    link_live_site,
    live_index_dir,
    new_release,
    release_lock,
)

log = logging.getLogger("kb.index")

LOCK_FILE = ".kb-index.lock"
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# A link to another page or section of the help center; its text names that other entry.
_INTERNAL_LINK = re.compile(r'<a\s[^>]*href="(?![a-z][a-z0-9+.-]*:)[^"]*"[^>]*>.*?</a>', re.S)


def index_lock(index_dir: Path) -> AbstractContextManager[None]:
    """Hold the index's writer lock for the block; raise IndexBusy at once if someone else holds it."""
    return exclusive(index_dir / LOCK_FILE, IndexBusy(f"索引 {index_dir} 正在被另一个进程更新"))


def question_keys(question: str) -> list[str]:
    """Given a question, return [normalised text, full pinyin, pinyin initials] for suggestions."""
    from pypinyin import lazy_pinyin

    norm = normalize(question)
    full = _NON_ALNUM.sub("", "".join(lazy_pinyin(norm)))
    return [norm, full, _NON_ALNUM.sub("", pinyin_initials(norm))]


def section_document(section: Section, data_dir: Path, boost: float = 1.0) -> dict[str, Any]:
    """Given a section, the lexicon's folder and its page's search boost, return its index document."""
    fingerprint = load_lexicon(data_dir).fingerprint
    doc: dict[str, Any] = {
        "id": section.id,
        "kind": "intro" if section.is_intro else "faq",
        "category": section.category,
        "url": section.url,
        "title": section.title,
        "phrasings": "\n".join(section.phrasings),
        "body": html_to_text(_INTERNAL_LINK.sub("", searchable_html(section.html))),
        "answer": section.text,
        "boost": boost,
    }
    # The digest covers everything that shapes the document's postings, analysis included.
    digest_source = json.dumps([doc, fingerprint, ANALYZER_VERSION], ensure_ascii=False)
    doc["digest"] = hashlib.sha256(digest_source.encode()).hexdigest()[:20]
    return doc


def complete(doc: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """Given an index document, return it with its derived fields (pinyin keys, stored words).

    Derived from the fields the digest covers, so only a changed document needs them: they cost
    most of the time of an update (pinyin of every question).
    """
    if "words" in doc:
        return doc
    lexicon = load_lexicon(data_dir)
    questions = [doc["title"], *(p for p in doc["phrasings"].split("\n") if p)]
    return {
        **doc,
        "questions": [question_keys(q) for q in questions],
        "words": {f: encode_words(segment(doc[f], lexicon)) for f in TEXT_FIELDS},
        "question_words": [encode_words(segment(q, lexicon)) for q in questions],
    }


def documents(settings: Settings, pages: Sequence[Page] | None = None) -> list[dict[str, Any]]:
    """Given settings (and docs/'s pages, if already loaded), return the index documents of every searchable section."""
    if pages is None:
        pages = load_pages(settings.docs_dir, settings.mkdocs_yml)
    return [
        section_document(section, settings.data_dir, page.search_boost)
        for page in pages
        if not page.excluded_from_search
        for section in page.sections
    ]


def open_or_create(index_dir: Path, data_dir: Path) -> FileIndex:
    """Given the index folder, return the current-version index in it, creating an empty one if absent."""
    storage = FileStorage(str(index_dir))
    schema = make_schema(data_dir)
    if storage.index_exists(INDEX_NAME):
        # Today's schema, not the pickled one: it names the data folder by absolute path, and
        # an index copied to another replica or a renamed checkout must cut words with its own.
        return storage.open_index(INDEX_NAME, schema=schema)
    return storage.create_index(schema, INDEX_NAME)


def build_index(
    settings: Settings,
    full: bool = False,
    progress: Callable[[str], None] | None = None,
    pages: Sequence[Page] | None = None,
) -> IndexStats:
    """Given settings, bring the served index up to date with docs/ (only changed sections unless full); return stats.

    Incremental updates commit into the index served now (Whoosh's atomic commit). `full`
    rebuilds from scratch into a fresh folder: a new release that keeps the live site, made
    live in one step. A damaged index is rebuilt in full. `progress` is called with each
    document id after it is written (before the commit); `pages` are docs/'s pages when the
    caller has loaded them already (kb publish checks them first).
    """
    started = time.perf_counter()
    with release_lock(settings, IndexBusy(f"索引 {settings.index_dir} 正在被另一个进程更新")):
        docs = documents(settings, pages)
        stats: IndexStats | None = None
        if not full or settings.index_pinned:
            try:
                stats = update_index(
                    live_index_dir(settings), settings.data_dir, docs, full, progress
                )
            except IndexCorrupt as e:
                if settings.index_pinned:
                    raise
                log.warning("%s: rebuilding it in full", e)
        if stats is None:
            release = new_release(settings)
            try:
                link_live_site(settings, release)
                stats = index_release(settings, release, docs, full=True, progress=progress)
                activate_release(settings, release)
            except BaseException:
                discard_release(release)
                raise
    stats["seconds"] = round(time.perf_counter() - started, 3)
    return stats


def index_release(
    settings: Settings,
    release: Path,
    docs: list[dict[str, Any]],
    full: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Given a new release folder, write its index: the served one copied and updated, or a fresh one.

    Counts (added, updated…) are against the index served now. A served index that is damaged
    is not copied: the release gets a fresh one.
    """
    served, target = live_index_dir(settings), release / INDEX
    previous = _digests(served)
    if previous is None:  # none yet, or damaged: nothing to start from
        previous, full = {}, True
    if not full:
        carry_index(settings, release)
    try:
        return update_index(target, settings.data_dir, docs, full, progress, previous)
    except IndexCorrupt:
        if full:
            raise
        shutil.rmtree(target, ignore_errors=True)
        return update_index(target, settings.data_dir, docs, True, progress, previous)


def _digests(index_dir: Path) -> dict[str, str] | None:
    """Given an index folder, return {id: digest} of its documents; None when it has none or is damaged."""
    storage = FileStorage(str(index_dir))
    if not index_dir.is_dir() or not storage.index_exists(INDEX_NAME):
        return None
    try:
        with index_errors(index_dir), storage.open_index(INDEX_NAME).reader() as reader:
            return {f["id"]: f["digest"] for f in reader.all_stored_fields()}
    except IndexCorrupt:
        return None


def update_index(
    index_dir: Path,
    data_dir: Path,
    docs: list[dict[str, Any]],
    full: bool = False,
    progress: Callable[[str], None] | None = None,
    previous: dict[str, str] | None = None,
) -> IndexStats:
    """Given index documents, write the changed ones and delete the missing ones in one commit; return stats.

    `previous` ({id: digest}) is what the counts compare with, when not the folder's own index.
    """
    with index_lock(index_dir), index_errors(index_dir):
        ix = open_or_create(index_dir, data_dir)
        with ix.reader() as reader:
            existing = {f["id"]: f["digest"] for f in reader.all_stored_fields()}
        if previous is not None and full:
            existing = previous
        try:
            writer = ix.writer(timeout=0.0)
        except LockError:
            raise IndexBusy(f"索引 {index_dir} 正在被另一个进程更新") from None
        new_ids = {d["id"] for d in docs}
        stats = IndexStats(added=0, updated=0, removed=0, unchanged=0, documents=0)
        try:
            for doc in docs:
                old = existing.get(doc["id"])
                if old == doc["digest"] and not full:
                    stats["unchanged"] += 1
                    continue
                stats["added" if old is None else "updated"] += 1
                doc = complete(doc, data_dir)
                if full:  # CLEAR below drops every old segment, so add without deleting
                    writer.add_document(**doc)
                else:
                    writer.update_document(**doc)
                if progress:
                    progress(doc["id"])
            for gone in existing.keys() - new_ids:
                stats["removed"] += 1
                if not full:
                    writer.delete_by_term("id", gone)
        except BaseException:
            writer.cancel()  # nothing was committed: readers keep the previous generation
            raise
        if full:
            writer.commit(mergetype=CLEAR)
        elif stats["added"] or stats["updated"] or stats["removed"]:
            writer.commit()
        else:
            writer.cancel()
        stats["documents"] = FileStorage(str(index_dir)).open_index(INDEX_NAME).doc_count()
    return stats
