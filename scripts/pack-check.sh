#!/usr/bin/env bash
# Checks the package as a user gets it: build, `npm pack`, install the tarball into a
# scratch project, then use it from ESM, from CommonJS and from a strict TypeScript
# consumer (moduleResolution NodeNext, skipLibCheck false).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"

tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "pack-check: packed $tarball"

cd "$work"
cp -r "$root/scripts/pack-consumer/." .
npm init -y >/dev/null
# better-sqlite3 is the one optional peer installed: the SQLite path must work without `pg`.
npm install --silent --no-audit --no-fund "./$tarball" better-sqlite3@12 typescript@5.9 @types/node@20 >/dev/null
echo "pack-check: installed into $work"

node consumer.mjs
node consumer.cjs
npx tsc -p tsconfig.json
echo "pack-check: strict TypeScript consumer type-checks"
node check-exports.mjs
node check-package.mjs
node sqlite-consumer.mjs

# The README quick start, pasted as written into a scratch file.
node "$root/scripts/extract-quickstart.mjs" "$root/README.md" > quickstart.mjs
out=$(node quickstart.mjs)
printf '%s\n' "$out" | sed 's/^/  quickstart> /'
printf '%s\n' "$out" | tail -n 1 | grep -qx 'captured confirmed' || { echo "pack-check: README quick start did not print 'captured confirmed'"; exit 1; }
echo "pack-check: README quick start runs as written"
echo "pack-check: ok"
