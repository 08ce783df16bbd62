#!/usr/bin/env bash
# Install the help center into .venv, then serve site + search API at http://127.0.0.1:${PORT:-8000}/
# (kb serve builds the site and the index first when they are missing or older than docs/).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
pip install --quiet --disable-pip-version-check -e .
# Chart.js for the editors' dashboard, served by kb serve itself (pinned in package-lock.json).
[ -f node_modules/chart.js/dist/chart.umd.min.js ] || npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
export NO_MKDOCS_2_WARNING=1
kb check
exec kb serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-1}"
