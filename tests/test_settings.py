"""Settings: every KB_* knob is read in one place, and handed to uvicorn's workers intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import search
from search.cli import main
from search.settings import PATH_KNOBS, Settings, load_settings

PACKAGE = Path(search.__file__).parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PATH_KNOBS.values(), "KB_ROOT", "KB_SEARCH_CACHE", "KB_ANALYTICS"):
        monkeypatch.delenv(name, raising=False)


def test_knobs_come_from_the_environment(project: Settings, monkeypatch, tmp_path: Path):
    monkeypatch.setenv("KB_SEARCH_CACHE", "0")
    monkeypatch.setenv("KB_ANALYTICS", "0")
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "elsewhere"))
    settings = load_settings(project.root)
    assert settings.search_cache == 0 and settings.analytics is False
    assert settings.index_dir == tmp_path / "elsewhere"
    assert load_settings(project.root).analytics is False


def test_the_environment_a_worker_gets_gives_it_the_same_settings(project: Settings, monkeypatch):
    monkeypatch.setenv("KB_SEARCH_CACHE", "7")
    settings = load_settings(project.root).with_paths(site_dir=project.root / "elsewhere")
    for name, value in settings.environ().items():
        monkeypatch.setenv(name, value)
    assert load_settings() == settings


def test_a_bad_knob_is_a_message_not_a_traceback(project: Settings, monkeypatch, capsys):
    monkeypatch.setenv("KB_SEARCH_CACHE", "lots")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert "KB_SEARCH_CACHE" in err and "提示" in err and "Traceback" not in err


def test_only_settings_reads_and_only_serve_writes_the_kb_environment():
    reads, writes = {}, {}
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        reads[path.name] = re.findall(r"environ(?:\.get)?[(\[]\s*[\"']KB_", text)
        writes[path.name] = re.findall(r"environ(?:\[[^\]]+\]\s*=|\.update|\.setdefault)", text)
    assert {name for name, found in reads.items() if found} == {"settings.py"}
    assert {name for name, found in writes.items() if found} <= {"server.py", "site.py"}
    site = (PACKAGE / "site.py").read_text("utf-8")  # …which only silences MkDocs' banner
    assert len(writes["site.py"]) == 1
    assert re.findall(r"environ\.setdefault\(\"(\w+)\"", site) == ["NO_MKDOCS_2_WARNING"]
