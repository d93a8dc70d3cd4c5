# Sourced by the scripts: make .venv (and node_modules) from the project's own files when missing
# or out of date. Not executable on its own.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python_bin="${TIMERS_PYTHON:-python3.11}"
command -v "$python_bin" >/dev/null 2>&1 || python_bin=python3

ensure_venv() {
  # $1: what to install: "cli" (the library and its command), "regenerate" (the generator and
  # ruff only), or "dev" (everything: the library with its extras and the dev tool group).
  local profile="$1" want
  want="$(sha256sum "$root/pyproject.toml" | cut -d' ' -f1)"
  # "dev" includes every other profile.
  for done_profile in "$profile" dev; do
    if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.timers-installed-$done_profile" 2>/dev/null)" = "$want" ]; then
      return 0
    fi
  done
  # --no-compile: a module is compiled when first imported, not every module of every package
  # at install time (18 of the 44 s of the dev install).
  local options=(install --quiet --disable-pip-version-check --no-compile)
  if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating .venv with $("$python_bin" --version)"
    "$python_bin" -m venv --without-pip "$venv"
  fi
  # ensurepip takes 7 s to put its pip in; this Python's own pip, when it can install into
  # another environment (pip >= 22.3), puts a current one there in 2. Else ensurepip. (Also
  # for a .venv left without pip by an interrupted run.)
  if ! "$venv/bin/python" -c "import pip" 2>/dev/null; then
    "$python_bin" -m pip --python "$venv/bin/python" "${options[@]}" "pip>=25.1" || {
      echo "(this Python's pip cannot install into .venv: using ensurepip)"
      "$venv/bin/python" -m ensurepip --default-pip >/dev/null
    }
  fi
  echo "==> installing the $profile tools into .venv"
  local pip=("$venv/bin/python" -m pip "${options[@]}")
  # Dependency groups (PEP 735) need pip >= 25.1; the command alone needs none of them.
  [ "$profile" = cli ] || "${pip[@]}" "pip>=25.1"
  case "$profile" in
    cli) "${pip[@]}" -e "$root[cli]" ;;
    regenerate) "${pip[@]}" --group "$root/pyproject.toml:regenerate" ;;
    dev) "${pip[@]}" -e "$root[cli,testing,aiohttp]" --group "$root/pyproject.toml:dev" ;;
    *) echo "ensure_venv: unknown profile $profile" >&2; return 2 ;;
  esac
  echo "$want" > "$venv/.timers-installed-$profile"
}

ensure_node_tools() {
  local stamp="$root/node_modules/.timers-installed"
  local want
  want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing the pinned Node tools (Redocly CLI, Prism, pyright) with npm ci"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
}
