"""scripts/venv.sh (start.sh, test.sh): install once, then skip pip until pyproject.toml changes."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.helpers import ROOT


def fake_checkout(folder: Path) -> Path:
    """A folder with pyproject.toml and a .venv whose `pip` only logs that it ran."""
    bin_dir = folder / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n", "utf-8")
    (bin_dir / "activate").write_text(f'PATH="{bin_dir}:$PATH"\n', "utf-8")
    for name, body in (
        ("python", "exit 0"),
        ("kb", "exit 0"),
        (
            "pip",
            'echo "$@" >> "$(dirname "$0")/pip.log"; echo "Collecting x"; echo "Successfully installed x"',
        ),
    ):
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", "utf-8")
        (bin_dir / name).chmod(0o755)
    return folder


def kb_venv(folder: Path, extra: str = "", strict: bool = False) -> str:
    # strict: as start.sh and test.sh call it, under `set -euo pipefail`
    script = f'{"set -euo pipefail; " if strict else ""}. "{ROOT}/scripts/venv.sh"; kb_venv {extra}'
    done = subprocess.run(["bash", "-c", script], cwd=folder, capture_output=True, text=True)
    return done.stdout + done.stderr + f"exit {done.returncode}"


def test_install_runs_once_and_again_only_when_pyproject_changes(tmp_path: Path):
    folder = fake_checkout(tmp_path)
    pip_log = folder / ".venv" / "bin" / "pip.log"
    first = kb_venv(folder, "test")
    assert "安装依赖" in first and "Successfully installed x" in first
    assert pip_log.read_text().split() == [
        "install",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        "-e",
        ".[test]",
    ]
    assert "跳过 pip install" in kb_venv(folder, "test")
    assert "跳过 pip install" in kb_venv(folder)  # the test install covers start.sh's
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '2'\n", "utf-8")
    assert "安装依赖" in kb_venv(folder)
    assert len(pip_log.read_text().splitlines()) == 2


def test_a_failed_install_stops_and_is_tried_again(tmp_path: Path):
    folder = fake_checkout(tmp_path)
    pip = folder / ".venv" / "bin" / "pip"
    pip.write_text(
        '#!/bin/sh\necho "ERROR: No matching distribution found for x"\nexit 1\n', "utf-8"
    )
    out = kb_venv(folder)
    assert (
        "ERROR: No matching distribution" in out
        and "pip install 失败" in out
        and out.endswith("exit 1")
    )
    assert "安装依赖" in kb_venv(folder), "nothing was recorded as installed"
