#!/usr/bin/env bash
# Install the help center into .venv (only when pyproject.toml changed), check the pages, then
# serve site + search API at http://127.0.0.1:${PORT:-8000}/ in the foreground (Ctrl+C stops it).
# kb serve builds the site and the index first when they are missing or older than docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
kb_venv
# Chart.js for the editors' dashboard, served by kb serve itself (pinned in package-lock.json).
[ -f node_modules/chart.js/dist/chart.umd.min.js ] || npm ci --omit=optional --no-audit --no-fund --loglevel=error
export NO_MKDOCS_2_WARNING=1
echo "==> 检查页面（kb check）"
kb check
echo "==> 启动帮助中心（kb serve；按 Ctrl+C 停止）"
exec kb serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --workers "${WORKERS:-1}"
