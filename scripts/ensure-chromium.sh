#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the browser test of the example app's
# docs page (test/e2e/docs-browser.test.ts) when it is not there yet. Nothing is downloaded
# besides the Debian package: playwright-core drives this binary, it fetches no browser.
# Under CI=true a Chromium that cannot be installed is an error; locally the test skips
# with a loud message instead.
set -uo pipefail

chromium=/usr/bin/chromium

if [ -x "$chromium" ]; then
  echo "chromium: $("$chromium" --version 2>/dev/null | head -n 1)"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; fi

echo "chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
if $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null; then
  echo "chromium: $("$chromium" --version 2>/dev/null | head -n 1)"
  exit 0
fi

if [ "${CI:-}" = "true" ]; then
  echo "chromium: could not install $chromium and CI requires it" >&2
  exit 1
fi
echo "chromium: WARNING could not install $chromium; the docs browser test will be skipped" >&2
exit 0
