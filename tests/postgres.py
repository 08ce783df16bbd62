"""A throwaway PostgreSQL cluster from Debian's `postgresql` package, for tests and CI (stdlib only).

    python3 tests/postgres.py start DIR   # prints the server's URL
    python3 tests/postgres.py stop DIR

The server refuses to run as root, so as root it runs as the `postgres` user (runuser).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def binaries() -> Path | None:
    """Return the folder of the newest installed PostgreSQL's programs, or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


def _as_server_user(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path) -> str:
    """Given an empty folder, make a cluster there, start it on a free port; return its URL."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    os.chmod(folder, 0o755)
    initdb = [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "postgres"]
    subprocess.run(
        _as_server_user([*initdb, "--auth=trust", "-E", "UTF8", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    port = _free_port()
    _pg_ctl_start(bin_dir, folder, port)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def _pg_ctl_start(bin_dir: Path, folder: Path, port: int | str) -> None:
    """Start the cluster in folder on 127.0.0.1:port, its socket in folder; wait until it answers."""
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    )
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-l", str(folder / "server.log")]
    subprocess.run(
        _as_server_user([*pg_ctl, "-o", options, "-w", "start"]), check=True, capture_output=True
    )


def stop(folder: Path, mode: str = "fast") -> None:
    """Given a cluster's folder, stop its server (`immediate` is a crash)."""
    bin_dir = binaries()
    if bin_dir and (folder / "data" / "postmaster.pid").exists():
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", mode, "-w", "stop"]
            ),
            check=False,
            capture_output=True,
        )


def restart(folder: Path, url: str) -> None:
    """Given a stopped cluster and its URL, start it again on the same port."""
    bin_dir = binaries()
    assert bin_dir is not None
    _pg_ctl_start(bin_dir, folder, url.rsplit(":", 1)[1].split("/")[0])


def main(argv: list[str]) -> int:
    """`start DIR` prints the URL of a new cluster; `stop DIR` stops it and removes DIR."""
    command, folder = argv[0], Path(argv[1])
    if command == "start":
        print(start(folder))
    else:
        stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
