#!/usr/bin/env bash
# The test command of the README: installs what the tests need on a fresh
# Debian machine (the chromium package for the browser journeys), then runs
# every test, browser journeys and fuzz seed corpora included, with the race
# detector. Under CI=true a missing browser fails the browser tests instead of
# skipping them. The stores' tests run against SQLite and, on a private
# PostgreSQL server this script starts (scripts/test-postgres.sh), against
# PostgreSQL; under CI=true a missing server fails those runs.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: chromium is missing and cannot be installed here (not root); browser tests will skip"
  fi
fi

. scripts/test-postgres.sh
start_test_postgres

# A package-wide liveness bound, not a speed target: under -race on a busy
# 2-core machine the handlers package alone has run past go test's default
# 10 minutes with no test failing.
go test -race -count=1 -timeout 30m "$@" ./...
