/**
 * Compares two bench result files figure by figure:
 *   npm run bench:compare -- bench/results/<before>.json bench/results/<after>.json
 * Ratios are the meaningful column; absolute numbers move with the machine's load.
 */
import { readFileSync } from 'node:fs';
import type { Figure } from './lib/report.js';
import { formatValue } from './lib/report.js';

interface Result {
  commit?: string;
  startedAt: string;
  figures: Figure[];
}

const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--'));
if (!a || !b) {
  console.error('usage: npm run bench:compare -- <before.json> <after.json>');
  process.exit(2);
}
const before = JSON.parse(readFileSync(a, 'utf8')) as Result;
const after = JSON.parse(readFileSync(b, 'utf8')) as Result;
const key = (f: Figure) => `${f.stage}|${f.name}`;
const old = new Map(before.figures.map((f) => [key(f), f]));
console.log(
  `before: ${before.commit ?? '?'} ${before.startedAt}\nafter:  ${after.commit ?? '?'} ${after.startedAt}\n`,
);
const rows = after.figures.map((f) => {
  const prev = old.get(key(f));
  const change =
    prev && prev.value !== 0 ? `${(((f.value - prev.value) / prev.value) * 100).toFixed(1)}%` : '';
  return [
    f.stage,
    f.name,
    prev ? formatValue(prev.value, prev.unit) : '—',
    formatValue(f.value, f.unit),
    change,
    f.met === undefined ? '' : f.met ? 'met' : 'NOT MET',
  ];
});
const head = ['stage', 'figure', 'before', 'after', 'change', 'target'];
const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
for (const r of [head, ...rows])
  console.log(
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
