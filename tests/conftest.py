"""Shared fixtures: help centers to change or read, built sites and indexes, Chromium, a live server.

`project` and the `built_`/`indexed_` fixtures are the frozen fixture help center
(tests/fixtures/helpcenter/); the `real_` fixtures are a copy of this checkout's own pages, for
the few tests that check them. They are built once per run for all xdist workers and only read;
servers and browsers are started once per worker. See tests/helpers.py.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from search.settings import Settings, load_settings
from tests.helpers import CHROMIUM, LiveServer, Tab, copy_built, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    """A private, writable copy of the fixture help center (pages, catalogue, word lists, config)."""
    return copy_project(tmp_path / "project")


def _built(folder: Path, real: bool = False) -> Settings:
    from search.site import build_site

    settings = copy_project(folder, real=real)
    build_site(settings)
    return settings


def _indexed(settings: Settings) -> Settings:
    from search import build_index

    build_index(settings)
    return settings


def _shared(factory: pytest.TempPathFactory, worker_id: str, name: str, make) -> Settings:
    """Given a name and how to make it in a folder, make it once for all xdist workers; return it.

    Workers share the folder above their own temporary folders (one per session, as xdist's docs
    advise); the first to take the lock builds, the others wait and read what it built."""
    if worker_id == "master":  # not under xdist: this process is the only reader
        return make(factory.mktemp(name))
    from filelock import FileLock

    shared = factory.getbasetemp().parent
    folder, done = shared / name, shared / f"{name}.done"
    with FileLock(shared / f"{name}.lock"):
        if done.exists():
            return load_settings(folder)
        settings = make(folder)
        done.touch()
        return settings


@pytest.fixture
def indexed_copy(indexed_project: Settings, tmp_path: Path) -> Settings:
    """A private, writable copy of the fixture help center with its site and index already live."""
    return copy_built(tmp_path / "project", indexed_project)


@pytest.fixture(scope="session")
def indexed_project(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Settings:
    """The fixture help center, its site and search index built once for the session (read-only use)."""
    return _shared(tmp_path_factory, worker_id, "indexed", lambda f: _indexed(_built(f)))


@pytest.fixture(scope="session")
def built_project(indexed_project: Settings) -> Settings:
    """The fixture help center with its site built once for the session (read-only use)."""
    return indexed_project


@pytest.fixture(scope="session")
def real_indexed_project(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Settings:
    """A copy of this checkout's real pages, built and indexed once for the session (read-only use)."""
    return _shared(tmp_path_factory, worker_id, "real", lambda f: _indexed(_built(f, real=True)))


@pytest.fixture(scope="session")
def real_built_project(real_indexed_project: Settings) -> Settings:
    """The real pages' built copy (the evaluation gate and the browser tests read it)."""
    return real_indexed_project


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def static_site(real_built_project: Settings) -> Iterator[str]:
    """The real pages' built site served by a plain static file server (no search API): its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(real_built_project.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; skipped with a reason outside CI when it is missing."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must apt-get install chromium")
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    from scripts.chromium import launch

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, chromium):
    """A new browser page in a context of its own that records console errors in
    `page.console_errors`; in a module marked `shared_page`, that module's page cleared (`tab`)."""
    if request.node.get_closest_marker("shared_page"):
        yield request.getfixturevalue("tab")
        return
    tab = Tab(chromium)
    yield tab.page
    tab.close()


@pytest.fixture(scope="module")
def module_tab(chromium) -> Iterator[Tab]:
    """One browser page for this module's tests to take turns in (see tests.helpers.Tab)."""
    tab = Tab(chromium)
    yield tab
    tab.close()


@pytest.fixture
def tab(module_tab: Tab):
    """A browser page as a new one would be, with `console_errors`; cheaper than `page`: it is
    this module's one page, cleared (no clock: a test that installs one takes `page`)."""
    return module_tab.fresh()


@pytest.fixture(scope="session")
def live_server(
    indexed_project: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The fixture help center served by `kb serve` (site + API) in a real uvicorn process."""
    # Its analytics (and rate limits) of its own: the built help center is shared by the workers.
    folder = tmp_path_factory.mktemp("live")
    settings = indexed_project.with_paths(analytics_db=folder / "analytics.sqlite3")
    env = {"KB_ANALYTICS_DB": str(settings.analytics_db)}
    server = LiveServer(settings, folder / "serve.log", env=env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def app_client(indexed_project: Settings, tmp_path_factory: pytest.TempPathFactory):
    """The app over the session's indexed copy, in process (Starlette's TestClient), analytics off."""
    import dataclasses

    from starlette.testclient import TestClient

    from search.api import create_app

    settings = dataclasses.replace(
        indexed_project, analytics_db=tmp_path_factory.mktemp("app") / "analytics.sqlite3"
    )
    with TestClient(create_app(settings, analytics=False)) as c:
        yield c


def _postgres_missing(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{why} in CI: .ci/run must install postgresql (apt-get) for these tests")
    pytest.skip(f"PostgreSQL tests need a server: {why} (run .ci/run, or set KB_TEST_POSTGRES)")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The PostgreSQL server's URL: KB_TEST_POSTGRES (.ci/run starts one), else a cluster of this session's own."""
    if os.environ.get("KB_TEST_POSTGRES"):
        yield os.environ["KB_TEST_POSTGRES"]
        return
    from tests import postgres

    if postgres.binaries() is None:
        _postgres_missing("KB_TEST_POSTGRES is not set and Debian's postgresql is not installed")
    folder = Path(
        tempfile.mkdtemp(prefix="kb-pg-")
    )  # not pytest's 0700 tmp: the server user reads it
    yield postgres.start(folder)
    postgres.stop(folder)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the tests' PostgreSQL server; dropped after."""
    import psycopg

    name = f"kb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    yield f"{postgres_server.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(postgres_server, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def own_postgres() -> Iterator[tuple[Path, str]]:
    """A PostgreSQL cluster of this test's own (it may stop it): (its folder, its URL)."""
    from tests import postgres

    if postgres.binaries() is None:
        _postgres_missing("Debian's postgresql package is not installed")
    folder = Path(
        tempfile.mkdtemp(prefix="kb-pg-")
    )  # not pytest's 0700 tmp: the server user reads it
    url = postgres.start(folder)
    yield folder, url
    postgres.stop(folder, "immediate")
    shutil.rmtree(folder, ignore_errors=True)
