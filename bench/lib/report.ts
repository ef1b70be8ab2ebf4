/** What stages report: named figures, with the SPEC §10 target each one is held to. */

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  stage: string;
  name: string;
  value: number;
  unit: string;
  target?: Target;
  met?: boolean;
  /** Raw measurements behind the figure (throughputs, latencies, statement counts). */
  detail?: Record<string, unknown>;
}

export interface Stage {
  name: string;
  description: string;
  run(ctx: StageContext): Promise<void>;
}

export interface StageContext {
  /** Records a figure (and prints it as a progress line). */
  figure(figure: Omit<Figure, 'stage' | 'met'>): void;
  /** A progress line. */
  log(message: string): void;
}

export function meets(value: number, target: Target | undefined): boolean | undefined {
  if (!target) return undefined;
  return target.op === '>=' ? value >= target.value : value <= target.value;
}

export function formatValue(value: number, unit: string): string {
  const text =
    Math.abs(value) >= 100
      ? Math.round(value).toLocaleString('en-US')
      : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return unit === 'x' ? `${text}×` : `${text} ${unit}`;
}

export function summaryTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.stage,
    f.name,
    formatValue(f.value, f.unit),
    f.target ? `${f.target.op} ${formatValue(f.target.value, f.unit)}` : '',
    f.met === undefined ? '' : f.met ? 'met' : 'NOT MET',
  ]);
  const head = ['stage', 'figure', 'value', 'target', ''];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
