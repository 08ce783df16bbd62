"""Where the help center's files live: docs, the built site, the index, the data files."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import KbError

DATA_DIR = Path(__file__).parent / "data"
SEARCH_CACHE = 2048  # memoised answers per search engine (one index generation)
# Environment variables that override [tool.kb] in pyproject.toml, by Settings field.
PATH_KNOBS = {
    "docs_dir": "KB_DOCS_DIR",
    "site_dir": "KB_SITE_DIR",
    "build_dir": "KB_BUILD_DIR",
    "index_dir": "KB_INDEX_DIR",
    "analytics_db": "KB_ANALYTICS_DB",
}


@dataclass(frozen=True)
class Settings:
    """Resolved, absolute paths and knobs for one help center checkout."""

    root: Path
    docs_dir: Path
    site_dir: Path
    build_dir: Path
    index_dir: Path
    analytics_db: Path  # the SQLite file; with a server, where per-host state (rate limits) stays
    mkdocs_yml: Path
    analytics_url: str = ""  # postgresql://… when every replica records into one server
    stale_after_days: int = 180
    data_dir: Path = DATA_DIR
    search_cache: int = SEARCH_CACHE  # KB_SEARCH_CACHE; 0 computes every answer anew
    analytics: bool = True  # KB_ANALYTICS=0 records no searches, clicks or feedback
    # index_dir set on purpose (KB_INDEX_DIR, with_paths): searches use that folder, not the
    # live release's index (evaluation and benchmark tools point at an index of their own).
    index_pinned: bool = False
    # Proxies whose X-Forwarded-For is believed (comma-separated addresses or networks; empty: none).
    trusted_proxies: str = ""
    # Other host names the help center is reached by (comma-separated), reflected in the sitemap.
    public_hosts: str = ""
    max_head_bytes: int = 16_384  # a request's line and headers together
    head_seconds: float = (
        10.0  # how long a connection may take to send a request head (idle included)
    )
    search_threads: int = 2  # searches run in this many threads per worker, off the event loop
    search_per_minute: int = 120  # each client's search budget (also its burst)
    analytics_keep_days: int = 180  # raw events older than this become daily counts

    @property
    def analytics_store(self) -> str:
        """The analytics store the writer and `kb report` use: the server URL, else the SQLite file."""
        return self.analytics_url or f"sqlite:{self.analytics_db}"

    @property
    def words_file(self) -> Path:
        return self.data_dir / "words.txt"

    @property
    def synonyms_file(self) -> Path:
        return self.data_dir / "synonyms.txt"

    @property
    def catalogue_file(self) -> Path:
        return self.data_dir / "catalogue.yml"

    def environ(self) -> dict[str, str]:
        """Return the KB_* variables that make `load_settings` in another process give these Settings."""
        paths = {f: n for f, n in PATH_KNOBS.items() if f != "index_dir" or self.index_pinned}
        return {
            "KB_ROOT": str(self.root),
            **{name: str(getattr(self, field)) for field, name in paths.items()},
            "KB_SEARCH_CACHE": str(self.search_cache),
            "KB_ANALYTICS": "1" if self.analytics else "0",
            "KB_TRUSTED_PROXIES": self.trusted_proxies,
            "KB_PUBLIC_HOSTS": self.public_hosts,
            "KB_MAX_HEAD_BYTES": str(self.max_head_bytes),
            "KB_HEAD_SECONDS": str(self.head_seconds),
            "KB_SEARCH_THREADS": str(self.search_threads),
            "KB_SEARCH_PER_MINUTE": str(self.search_per_minute),
            # The server, when replicas share one; else the SQLite file.
            "KB_ANALYTICS_DB": self.analytics_url or str(self.analytics_db),
            "KB_ANALYTICS_KEEP_DAYS": str(self.analytics_keep_days),
        }

    def with_paths(self, **paths: Path) -> Settings:
        """Given overrides such as docs_dir=…, return a copy with them made absolute."""
        pinned = self.index_pinned or "index_dir" in paths
        return replace(
            self, index_pinned=pinned, **{k: _absolute(Path(v)) for k, v in paths.items()}
        )


def _absolute(path: Path) -> Path:
    # Not resolve(): site_dir is a symlink to the live release and must stay one.
    return Path(os.path.abspath(path))


def find_root(start: Path | None = None) -> Path:
    """Given a folder, return the nearest ancestor holding mkdocs.yml and pyproject.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file() and (folder / "pyproject.toml").is_file():
            return folder
    raise KbError(
        f"在 {here} 及其上级目录中找不到帮助中心（mkdocs.yml 和 pyproject.toml）",
        "在仓库根目录里运行 kb，或设置环境变量 KB_ROOT",
    )


def _knob(name: str, default: int, least: int = 0) -> int:
    """Given an environment variable holding a whole number, return it (default when unset)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < least:
        raise KbError(
            f"环境变量 {name}={raw!r} 不是不小于 {least} 的整数", f"例如 {name}={default}"
        )
    return int(raw)


def load_settings(root: Path | str | None = None) -> Settings:
    """Given a checkout root (default: KB_ROOT or the cwd's), return its Settings.

    `[tool.kb]` in pyproject.toml sets the paths; KB_DOCS_DIR, KB_SITE_DIR, KB_BUILD_DIR,
    KB_INDEX_DIR and KB_ANALYTICS_DB (a file, or a postgresql:// URL) override them (tests and
    deployments use these); KB_ANALYTICS_KEEP_DAYS, KB_SEARCH_CACHE, KB_ANALYTICS, KB_TRUSTED_PROXIES, KB_PUBLIC_HOSTS, KB_MAX_HEAD_BYTES,
    KB_HEAD_SECONDS, KB_SEARCH_THREADS and KB_SEARCH_PER_MINUTE set the service's knobs. This is
    the only place that reads the KB_* environment.
    """
    base = Path(root or os.environ.get("KB_ROOT") or find_root()).resolve()
    try:
        with open(base / "pyproject.toml", "rb") as f:
            conf = tomllib.load(f).get("tool", {}).get("kb", {})
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise KbError(
            f"{base} 不是帮助中心的目录（读不了 pyproject.toml：{e}）",
            "用 --root 或 KB_ROOT 指向含 mkdocs.yml 和 pyproject.toml 的仓库目录",
        ) from e

    def path(key: str, default: str) -> Path:
        value = os.environ.get(PATH_KNOBS.get(key, "")) or conf.get(key) or default
        return _absolute(base / value)

    def number(key: str, default: float, kind: type = int) -> float:
        raw = os.environ.get(f"KB_{key.upper()}") or conf.get(key) or default
        try:
            value = kind(raw)
        except (TypeError, ValueError):
            value = -1
        if value <= 0:
            raise KbError(
                f"设置 {key}（KB_{key.upper()}）必须是正数，收到 “{raw}”",
                "在 pyproject.toml 的 [tool.kb] 或环境变量里改成正数",
            )
        return value

    build_dir = path("build_dir", "_build")
    index_dir = path("index_dir", str(build_dir / "index"))
    analytics = str(os.environ.get("KB_ANALYTICS_DB") or conf.get("analytics_db") or "")
    server = analytics if analytics.startswith(("postgresql://", "postgres://")) else ""
    default_db = str(index_dir.parent / "analytics.sqlite3")
    return Settings(
        root=base,
        docs_dir=path("docs_dir", "docs"),
        site_dir=path("site_dir", "site"),
        build_dir=build_dir,
        index_dir=index_dir,
        analytics_db=_absolute(Path(default_db)) if server else path("analytics_db", default_db),
        analytics_url=server,
        mkdocs_yml=base / "mkdocs.yml",
        stale_after_days=int(conf.get("stale_after_days", 180)),
        # The checkout's own data (what mkdocs.yml's jieba_dict_user points at) wins over the
        # installed package's copy, so editors' edits apply and test copies stay isolated.
        data_dir=base / "search" / "data" if (base / "search" / "data").is_dir() else DATA_DIR,
        search_cache=_knob("KB_SEARCH_CACHE", SEARCH_CACHE),
        analytics=os.environ.get("KB_ANALYTICS", "1").strip() != "0",
        trusted_proxies=os.environ.get("KB_TRUSTED_PROXIES", conf.get("trusted_proxies", "")),
        public_hosts=os.environ.get("KB_PUBLIC_HOSTS", conf.get("public_hosts", "")),
        index_pinned=bool(os.environ.get("KB_INDEX_DIR") or conf.get("index_dir")),
        max_head_bytes=int(number("max_head_bytes", 16_384)),
        head_seconds=float(number("head_seconds", 10.0, float)),
        search_threads=int(number("search_threads", 2)),
        search_per_minute=int(number("search_per_minute", 120)),
        analytics_keep_days=int(number("analytics_keep_days", 180)),
    )
