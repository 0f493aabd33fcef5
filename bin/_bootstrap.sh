# Sourced by bin/demo and bin/test: make .venv and install the locked dependencies when they change.
# PAGAR_LOCKS names the lock files to install, in order; the default is production's only.
# bin/test adds requirements-dev.lock (the test tools, pinned to the same versions as production).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
# One stamp per lock, so bin/demo and bin/test sharing a .venv do not undo each other's install,
# and a change to either lock re-installs that lock.
for lock in ${PAGAR_LOCKS:-requirements.lock}; do
  stamp=".venv/.$lock.sha256"
  want="$(sha256sum "$lock" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> Installing locked dependencies ($lock)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
    echo "$want" > "$stamp"
  fi
done
export PATH="$ROOT/.venv/bin:$PATH"
# Translations: compile each .po whose .mo is missing or older (the .mo files are not in git).
for po in locale/*/LC_MESSAGES/*.po; do
  [ -e "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -e "$mo" ] || [ "$po" -nt "$mo" ]; then
    # A broken .po does not stop the tests or the demo; bin/translations-check fails CI on it.
    msgfmt --check-format -o "$mo" "$po" || echo "==> $po does not compile; the last compiled catalogue (if any) stays in use" >&2
  fi
done
