"""The site's own scripts and styles under content-hashed names, so each release's files can be cached forever.

After MkDocs builds a release, every script and style of ours (not Material's, which hashes its
own) is renamed `name.<hash>.ext`, the module imports between them and the pages' links are
rewritten to the new names. A file's hash covers the names it imports, so a change anywhere below
it renames it too.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

# Folders (relative to the site) whose .js and .css are ours; Material's live elsewhere.
OURS = ("assets", "assets/kb", "assets/calculator")
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8,}\.(?:min\.)?(?:js|css)$")
_RELATIVE = re.compile(r"""(["'])(\.{1,2}/[^"'\s]+?\.(?:js|css))\1""")
_LINK = re.compile(r"""\b(src|href)="([^"?#]*)(\?[^"]*)?\"""")


def fingerprint(site: Path) -> dict[str, str]:
    """Given a built site folder, rename our scripts and styles by content hash; return {old: new} (site-relative)."""
    files = {
        p.relative_to(site).as_posix(): p
        for folder in OURS
        if (site / folder).is_dir()
        for p in sorted((site / folder).iterdir())
        if p.suffix in (".js", ".css") and p.is_file() and not FINGERPRINTED.search(p.name)
    }
    names: dict[str, str] = {}

    def rename(rel: str, seen: tuple[str, ...] = ()) -> str:
        """Given a file, write it under its hashed name (its imports first) and return that name."""
        if rel in names:
            return names[rel]
        path = files[rel]
        text = path.read_text("utf-8")

        def imported(m: re.Match[str]) -> str:
            target = (path.parent / m.group(2)).resolve().relative_to(site.resolve()).as_posix()
            if target not in files or target in seen:
                return m.group()
            new = rename(target, (*seen, rel))
            spec = m.group(2)[: m.group(2).rfind("/") + 1] + new.rsplit("/", 1)[-1]
            return f"{m.group(1)}{spec}{m.group(1)}"

        text = _RELATIVE.sub(imported, text)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        new_rel = f"{rel[: -len(path.suffix)]}.{digest}{path.suffix}"
        (site / new_rel).write_text(text, "utf-8")
        path.unlink()
        names[rel] = new_rel
        return new_rel

    for rel in files:
        rename(rel)
    _relink(site, names)
    return names


def _relink(site: Path, names: dict[str, str]) -> None:
    """Given {old: new} asset names, rewrite every page's src/href that ends in an old name."""

    def link(m: re.Match[str]) -> str:
        value = m.group(2)
        for old, new in names.items():
            if value == old or value.endswith("/" + old):
                return f'{m.group(1)}="{value[: len(value) - len(old)]}{new}{m.group(3) or ""}"'
        return m.group()

    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        relinked = _LINK.sub(link, text)
        if relinked != text:
            page.write_text(relinked, "utf-8")
