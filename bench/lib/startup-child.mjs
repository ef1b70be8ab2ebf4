// Run by the startup stage in a fresh Node process: import the built package, open a
// migrated SQLite file and create the order system (which checks migrations).
const started = performance.now();
const root = new URL('../../dist/', import.meta.url);
const { createOrderSystem, silentLogger } = await import(new URL('index.js', root).href);
const { sqliteStorage } = await import(new URL('adapters/sqlite.js', root).href);
const { inProcessJobs } = await import(new URL('adapters/in-process.js', root).href);
const oms = await createOrderSystem({
  storage: sqliteStorage({ filename: process.argv[2] }),
  jobs: inProcessJobs({ logger: silentLogger }),
  logger: silentLogger,
  startJobs: false,
});
const ready = performance.now();
process.stdout.write(
  JSON.stringify({ importOpenMigrateMs: ready - started, sinceProcessStartMs: ready }),
);
await oms.close();
