#!/usr/bin/env bash
# Install the help center into .venv, build it and serve it at http://127.0.0.1:${PORT:-8000}/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
pip install --quiet --disable-pip-version-check -e .
export NO_MKDOCS_2_WARNING=1
kb check
kb build
echo "帮助中心：http://127.0.0.1:${PORT:-8000}/"
exec python -m http.server "${PORT:-8000}" --bind 127.0.0.1 --directory site
