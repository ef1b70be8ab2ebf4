/**
 * `npm run bench`: every figure of SPEC §10 (and the hot-SKU figure) as ratios measured in
 * one run on memory, SQLite and Postgres. Prints a progress line per stage and a summary
 * table, and writes the figures as JSON to bench/results/<timestamp>.json (compare two runs
 * with `npm run bench:compare -- a.json b.json`).
 *
 *   npm run bench                         # every stage
 *   npm run bench -- --only=create,http   # some stages
 *   BENCH_ORDERS=1000000 npm run bench -- --only=growth
 *   BENCH_SCALE=0.25 npm run bench        # fewer operations per stage (a quick look)
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropBenchResources } from './lib/backends.js';
import { type Figure, meets, type Stage, summaryTable } from './lib/report.js';
import { growthStage } from './stages/growth.js';
import { hotSkuStage } from './stages/hot-sku.js';
import { httpStage, serverStage } from './stages/http.js';
import { jobsStage } from './stages/jobs.js';
import { memoryStage } from './stages/memory.js';
import { createStage, lifecycleStage } from './stages/overhead.js';
import { roundTripsStage } from './stages/round-trips.js';
import { startupStage } from './stages/startup.js';

const STAGES: Stage[] = [
  memoryStage,
  createStage,
  lifecycleStage,
  roundTripsStage,
  hotSkuStage,
  growthStage,
  httpStage,
  serverStage,
  jobsStage,
  startupStage,
];

function parseOnly(argv: readonly string[]): Set<string> | undefined {
  const arg = argv.find((a) => a.startsWith('--only='));
  if (!arg) return undefined;
  const names = new Set(arg.slice('--only='.length).split(',').filter(Boolean));
  const unknown = [...names].filter((n) => !STAGES.some((s) => s.name === n));
  if (unknown.length > 0) {
    throw new Error(
      `unknown stage ${unknown.join(', ')}; stages: ${STAGES.map((s) => s.name).join(', ')}`,
    );
  }
  return names;
}

function gitCommit(): string | undefined {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

const only = parseOnly(process.argv.slice(2));
const chosen = STAGES.filter((s) => !only || only.has(s.name));
const figures: Figure[] = [];
const startedAt = new Date();
const machine = {
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
};
console.log(
  `orderflow bench ${gitCommit() ?? ''} on ${machine.cpus}, ${machine.memoryGb} GB, Node ${machine.node}`,
);
console.log(`stages: ${chosen.map((s) => s.name).join(', ')}`);

// Interrupted: still drop the run's database before leaving.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: dropping the bench database`);
    void dropBenchResources().finally(() => process.exit(130));
  });
}

let failed = false;
try {
  for (const [index, stage] of chosen.entries()) {
    const t = performance.now();
    console.log(`\n[${index + 1}/${chosen.length}] ${stage.name}: ${stage.description}`);
    try {
      await stage.run({
        figure(f) {
          const figure: Figure = { stage: stage.name, ...f };
          const met = meets(f.value, f.target);
          if (met !== undefined) figure.met = met;
          figures.push(figure);
          const target = f.target
            ? ` (target ${f.target.op} ${f.target.value}: ${met ? 'met' : 'NOT MET'})`
            : '';
          console.log(`  ${f.name}: ${f.value} ${f.unit}${target}`);
        },
        log(message) {
          console.log(`  ${message}`);
        },
      });
    } catch (error) {
      failed = true;
      console.error(`  stage ${stage.name} failed:`, error);
    }
    console.log(`  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
} finally {
  await dropBenchResources().catch((error) =>
    console.error('could not drop bench resources', error),
  );
}

console.log(
  `\nSummary (ratios compare figures measured in this run; the machine is shared, so absolute numbers are noisy)\n`,
);
console.log(summaryTable(figures));

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const file = join(
  dir,
  `${startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z')}.json`,
);
writeFileSync(
  file,
  `${JSON.stringify(
    {
      commit: gitCommit(),
      startedAt: startedAt.toISOString(),
      machine,
      env: { BENCH_ORDERS: process.env.BENCH_ORDERS, BENCH_SCALE: process.env.BENCH_SCALE },
      stages: chosen.map((s) => s.name),
      figures,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${file}`);
process.exit(failed ? 1 : 0);
