#!/usr/bin/env bash
# Starts the local services the tests need (PostgreSQL, Redis) when they are installed but down,
# then waits until they answer. Under CI=true a service that cannot be reached is an error;
# locally the tests that need it skip with a loud message instead.
set -uo pipefail

pg_url=${ORDERFLOW_PG_URL:-postgres://postgres@127.0.0.1:5432/test}

# Command-line tools the tests use (redis-server for the private instances of the fault
# tests, jq for the README walk-through). Installed from Debian's packages when missing, as root.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v jq >/dev/null 2>&1 || missing+=(jq)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "services: installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    echo "services: could not install ${missing[*]}" >&2
fi

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

# Redis, for the BullMQ job runner's tests (test/support/redis.ts reads the same URL).
redis_url=${ORDERFLOW_REDIS_URL:-redis://127.0.0.1:6379}
local_redis=redis://127.0.0.1:6379

redis_up() {
  command -v redis-cli >/dev/null 2>&1 &&
    [ "$(timeout 3 redis-cli -u "$1" ping 2>/dev/null)" = "PONG" ]
}

if command -v redis-server >/dev/null 2>&1 && ! redis_up "$local_redis"; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log ||
    echo "services: redis-server did not start (see /var/log/redis/ci.log)" >&2
  for _ in $(seq 1 30); do redis_up "$local_redis" && break; sleep 1; done
fi

if redis_up "$redis_url"; then
  echo "services: Redis answers at $redis_url"
elif [ "${CI:-}" = "true" ]; then
  echo "services: Redis is not reachable at $redis_url and CI requires it" >&2
  exit 1
else
  echo "services: WARNING Redis is not reachable at $redis_url; its tests will be skipped" >&2
fi
