"""`kb publish`: all or nothing, and one at a time."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from search import publish, search
from search.cli import main
from search.contracts import PublishResult
from search.settings import Settings
from tests.helpers import conforms, edit


def snapshot(folder: Path) -> dict[str, str]:
    """Given a folder, return {relative path: sha256} of every file in it (symlinks followed)."""
    root = folder.resolve()
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


@pytest.fixture
def published(indexed_copy: Settings) -> Settings:
    """A help center as a publish leaves it: the live site and index match docs/."""
    return indexed_copy


def test_publish_makes_site_and_index_live_together(project: Settings):
    assert main(["--root", str(project.root), "publish"]) == 0
    assert (project.site_dir / "return" / "index.html").is_file()
    assert search(project, "退货运费谁出")["results"][0]["id"] == "return-shipping-fee"


def test_a_page_error_leaves_site_and_index_byte_for_byte_untouched(published: Settings, capsys):
    site, index, live = (
        snapshot(published.site_dir),
        snapshot(published.index_dir),
        published.site_dir.resolve(),
    )
    page = published.docs_dir / "return.md"
    text = page.read_text("utf-8")
    page.write_text(
        text.replace("](refund.md#return-refund-time)", "](refund.md#gone)")
        + "\n新增的文字：蓝色保温杯\n",
        "utf-8",
    )
    capsys.readouterr()
    assert main(["--root", str(published.root), "publish"]) != 0
    err = capsys.readouterr().err
    assert "docs/return.md:" in err and "#gone" in err
    assert published.site_dir.resolve() == live
    assert snapshot(published.site_dir) == site
    assert snapshot(published.index_dir) == index
    assert search(published, "蓝色保温杯")["total"] == 0


def test_a_build_failure_after_a_clean_check_leaves_everything_untouched(
    published: Settings, capsys
):
    site, index = snapshot(published.site_dir), snapshot(published.index_dir)
    releases = sorted((published.build_dir / "releases").iterdir())
    # kb check does not read the nav; MkDocs' strict build refuses a nav entry with no page.
    edit(
        published.mkdocs_yml,
        "  - 最近更新: updates.md",
        "  - 最近更新: updates.md\n  - 礼品: gifts.md",
    )
    page = published.docs_dir / "cancel.md"
    page.write_text(page.read_text("utf-8") + "\n新增的文字：红色保温杯\n", "utf-8")
    assert main(["--root", str(published.root), "publish"]) != 0
    assert "站点构建失败" in capsys.readouterr().err
    assert snapshot(published.site_dir) == site
    assert snapshot(published.index_dir) == index
    assert sorted((published.build_dir / "releases").iterdir()) == releases, (
        "the failed release is cleaned up"
    )


def test_two_publishes_at_once_give_one_busy_error(published: Settings):
    page = published.docs_dir / "refund.md"
    page.write_text(page.read_text("utf-8") + "\n补充说明。\n", "utf-8")
    cmd = [sys.executable, "-m", "search.cli", "--root", str(published.root), "publish"]
    first = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lock = published.build_dir / "publish.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.monotonic() < deadline and first.poll() is None, (
            "the first publish never took the lock"
        )
        time.sleep(0.02)
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 75
    assert "另一个 kb publish 正在运行" in second.stderr and "提示" in second.stderr


def test_publish_parses_each_page_once_for_check_build_and_index(project: Settings, monkeypatch):
    import search.page

    rendered: list[str] = []
    converter = search.page.markdown_converter

    def counting(mkdocs_yml):
        md = converter(mkdocs_yml)
        return SimpleNamespace(convert=lambda text: rendered.append(text) or md.convert(text))

    monkeypatch.setattr(search.page, "markdown_converter", counting)
    search.page._parsed.cache_clear()
    result = publish(project)
    assert len(rendered) == len(list(project.docs_dir.rglob("*.md")))
    assert conforms(result, PublishResult) == []
    assert result["index"]["added"] == result["index"]["documents"] > 15
