# Sourced by start.sh and test.sh: make .venv and install the help center into it, only when
# pyproject.toml changed since the last install (the package is editable: code changes need none).
# Usage: kb_venv [extra]   e.g. kb_venv test

kb_venv() {
  local extra="${1:-}" spec="." want stamp
  [ -n "$extra" ] && spec=".[$extra]"
  if [ ! -x .venv/bin/python ]; then
    echo "==> 创建虚拟环境 .venv（${PYTHON:-python3}）"
    "${PYTHON:-python3}" -m venv .venv
  fi
  . .venv/bin/activate
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  stamp=".venv/.kb-installed${extra:+-$extra}"
  # An install with the test tools covers a plain one too.
  for done in "$stamp" .venv/.kb-installed-test; do
    if [ -x .venv/bin/kb ] && [ -f "$done" ] && [ "$(cat "$done")" = "$want" ]; then
      echo "==> 依赖没有变化（pyproject.toml 和上次安装时一样），跳过 pip install"
      return 0
    fi
  done
  echo "==> 安装依赖到 .venv：pip install -e '$spec'（第一次约需 1 分钟）"
  # One line per package as it comes, and pip's errors; not its other chatter.
  local status
  # pip's own exit status, with or without the caller's pipefail (awk's is always 0).
  pip install --disable-pip-version-check --progress-bar off -e "$spec" 2>&1 \
    | awk '/^(Collecting|Successfully installed|ERROR)/ { print "    " $0; fflush() }' \
    && status="${PIPESTATUS[0]}" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "==> pip install 失败（退出码 $status）：看上面的 ERROR 行" >&2
    return "$status"
  fi
  echo "$want" > "$stamp"
}
