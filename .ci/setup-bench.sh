#!/usr/bin/env bash
# make bench, after .ci/setup.sh toolkit: what the bench's Python rows import beyond the standard library.
# numpy (row numpy_matmul_20x20_us) for Debian's /usr/bin/python3: its python3-numpy, installed with apt-get
# when we are root and apt-get is there; otherwise a note, and the bench skips the numpy rows. Idempotent:
# nothing is installed when /usr/bin/python3 imports numpy already.
set -uo pipefail
PY=/usr/bin/python3
say() { printf '\033[1msetup-bench:\033[0m %s\n' "$*"; }
if [ ! -x "$PY" ]; then
  say "no $PY: the bench skips its Python rows"
  exit 0
fi
if "$PY" -c 'import numpy' >/dev/null 2>&1; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  say "installing Debian's python3-numpy (for the numpy_matmul_20x20_us row)"
  if apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null; then
    "$PY" -c 'import numpy' >/dev/null 2>&1 && exit 0
  fi
  say "numpy still not importable by $PY after apt-get: the bench skips the numpy rows"
else
  say "numpy is not importable by $PY and this is not root with apt-get: the bench skips the numpy rows"
  say "  (as root: apt-get install python3-numpy)"
fi
exit 0
