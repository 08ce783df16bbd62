#!/usr/bin/env bash
# Install the help center with its test tools into .venv (only when pyproject.toml changed), then
# run every check CI runs: lint, format, kb check, the calculator's JS tests, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
kb_venv test
export NO_MKDOCS_2_WARNING=1
echo "==> ruff"
ruff check .
ruff format --check .
echo "==> kb check"
kb check
if [ -d tests/js ]; then
  echo "==> node --test tests/js/"
  node --test --test-reporter=dot tests/js/
fi
echo "==> pytest（每个 CPU 核心一个进程；TEST_WORKERS=0 则在一个进程里跑）"
python -m pytest -n "${TEST_WORKERS:-auto}" --dist worksteal "$@"
