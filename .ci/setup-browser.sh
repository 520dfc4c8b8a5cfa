#!/usr/bin/env bash
# What the browser test needs on top of `make setup` (idempotent): Debian's Chromium, and playwright-core
# (npm, the exact version of tests/browser/package.json; no lockfile) to drive it.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

if ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing Debian's chromium (for the notebooks-in-a-browser test)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "chromium is missing: install it (apt-get install chromium) for the browser test"
    exit 1
  fi
fi
want=$(sed -n 's/.*"playwright-core": *"\([^"]*\)".*/\1/p' tests/browser/package.json)
have=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' tests/browser/node_modules/playwright-core/package.json 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  say "installing playwright-core $want (npm)"
  (cd tests/browser && npm install --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null)
fi
say "browser test: $(chromium --version 2>/dev/null | head -1), playwright-core $want"
