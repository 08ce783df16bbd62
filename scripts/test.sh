#!/usr/bin/env bash
# Install the help center with its test tools into .venv, then run every check CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
pip install --quiet --disable-pip-version-check -e '.[test]'
# Chart.js for the editors' dashboard, served by kb serve itself (pinned in package-lock.json).
[ -f node_modules/chart.js/dist/chart.umd.min.js ] || npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
export NO_MKDOCS_2_WARNING=1
ruff check .
ruff format --check .
kb check
if [ -d tests/js ]; then node --test tests/js/; fi
python -m pytest "$@"
