/**
 * Start-up on SQLite: import the built package + open a migrated database file + the
 * migration check, in a fresh Node process (median of several), as an application would
 * start. Runs the package the bench built when it started (`lib/library.ts`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, round } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = join(ROOT, 'bench', 'lib', 'startup-child.mjs');

export const startupStage: Stage = {
  name: 'startup',
  description: 'SQLite start-up: import + open + migration check (built package, fresh process)',
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), 'orderflow-startup-'));
    try {
      const file = join(dir, 'startup.db');
      const once = () =>
        JSON.parse(execFileSync(process.execPath, [CHILD, file], { cwd: ROOT }).toString()) as {
          importOpenMigrateMs: number;
          sinceProcessStartMs: number;
        };
      once(); // creates and migrates the file
      const runs = Array.from({ length: 7 }, once);
      const inside = runs.map((r) => r.importOpenMigrateMs).sort((a, b) => a - b);
      const total = runs.map((r) => r.sinceProcessStartMs).sort((a, b) => a - b);
      ctx.log(
        `median since process start (Node boot included): ${round(percentile(total, 50), 1)} ms`,
      );
      ctx.figure({
        name: 'sqlite: import + open + migration check',
        value: round(percentile(inside, 50), 1),
        unit: 'ms',
        target: { op: '<=', value: 200 },
        detail: {
          runsMs: inside.map((x) => round(x, 1)),
          sinceProcessStartMs: total.map((x) => round(x, 1)),
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
