#!/usr/bin/env bash
# Starts the local services the tests need (PostgreSQL) when they are installed but down,
# then waits until they answer. Under CI=true a service that cannot be reached is an error;
# locally the tests that need it skip with a loud message instead.
set -uo pipefail

pg_url=${ORDERFLOW_PG_URL:-postgres://postgres@127.0.0.1:5432/test}

pg_up() { pg_isready -d "$pg_url" -t 2 >/dev/null 2>&1; }

if command -v pg_isready >/dev/null 2>&1 && ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "services: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

if command -v pg_isready >/dev/null 2>&1 && pg_up; then
  echo "services: PostgreSQL answers at $pg_url"
elif [ "${CI:-}" = "true" ]; then
  echo "services: PostgreSQL is not reachable at $pg_url and CI requires it" >&2
  exit 1
else
  echo "services: WARNING PostgreSQL is not reachable at $pg_url; its tests will be skipped" >&2
fi
