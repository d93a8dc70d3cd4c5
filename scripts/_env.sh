# Sourced by the scripts: make .venv (and node_modules) from the project's own files when missing
# or out of date. Not executable on its own.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python_bin="${TIMERS_PYTHON:-python3.11}"
command -v "$python_bin" >/dev/null 2>&1 || python_bin=python3

ensure_venv() {
  # $1: the extras to install, e.g. "dev" or "cli"
  local extras="$1"
  local stamp="$venv/.timers-installed-$extras"
  local want
  want="$(cat "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating .venv with $("$python_bin" --version)"
    "$python_bin" -m venv "$venv"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing .[$extras] into .venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[$extras]"
    echo "$want" > "$stamp"
  fi
}

ensure_node_tools() {
  local stamp="$root/node_modules/.timers-installed"
  local want
  want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing the pinned Node tools (Redocly CLI, Prism) with npm ci"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
}
