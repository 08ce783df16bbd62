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
echo "==> npm ci（axe-core、Chart.js，只在缺少或版本不对时安装）"
# axe-core for the accessibility tests, pinned in package.json and package-lock.json (node_modules/
# is not committed): installed from npm here, never fetched while the tests run. Chart.js likewise,
# for the editors' dashboard. Lighthouse is optional (scripts/lighthouse.py installs it): the
# tests don't need it.
node -e 'const p = require("./package.json"), want = { ...p.dependencies, ...p.devDependencies };
  const ok = Object.entries(want).every(([n, v]) => require(`./node_modules/${n}/package.json`).version === v);
  process.exit(ok ? 0 : 1)' 2>/dev/null \
  || npm ci --omit=optional --no-audit --no-fund --loglevel=error
if [ -d tests/js ]; then
  echo "==> node --test tests/js/"
  node --test --test-reporter=dot tests/js/
fi
echo "==> pytest（每个 CPU 核心一个进程；TEST_WORKERS=0 则在一个进程里跑）"
python -m pytest -n "${TEST_WORKERS:-auto}" --dist worksteal "$@"
