"""An old commit's files in a folder, for the scripts that measure this checkout against it."""

from __future__ import annotations

import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def extract(ref: str, dest: Path | str) -> Path:
    """Given a git revision and a folder, put that revision's tracked files there; return the folder."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return Path(dest)
