/** Timing helpers shared by the bench stages. */

export interface Throughput {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's CPU time (user + system) per operation, where measured. */
  cpuMsPerOp?: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Runs `op(i)` for i in [0, total) with `concurrency` callers in flight at once and reports
 * throughput and latency percentiles.
 */
export async function runConcurrent(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<unknown>,
): Promise<Throughput> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t = performance.now();
      await op(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: total,
    seconds: round(seconds, 3),
    opsPerSec: round(total / seconds, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
  };
}

/** Latency percentiles of `n` sequential calls of `op`. */
export async function latency(
  n: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ p50Ms: number; p99Ms: number; meanMs: number }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(samples, 50), 3),
    p99Ms: round(percentile(samples, 99), 3),
    meanMs: round(samples.reduce((s, x) => s + x, 0) / samples.length, 3),
  };
}

/** Scales an operation count by `BENCH_SCALE` (e.g. 0.2 for a quick run), at least `min`. */
export function scaled(n: number, min = 20): number {
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  return Math.max(min, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

/**
 * Measures two contenders in alternating rounds (a, b, a, b, …) and adds up each one's
 * operations and time, so load that comes and goes on a shared machine falls on both alike.
 */
export async function alternate(
  total: number,
  concurrency: number,
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  options: { rounds?: number; between?: () => Promise<unknown> } = {},
): Promise<{ a: Throughput; b: Throughput }> {
  const rounds = options.rounds ?? 4;
  const per = Math.max(1, Math.round(total / rounds));
  const results: { a: Throughput[]; b: Throughput[] } = { a: [], b: [] };
  const cpu = { a: 0, b: 0 };
  let offset = 0;
  for (let r = 0; r < rounds; r++) {
    for (const side of ['a', 'b'] as const) {
      const op = side === 'a' ? a : b;
      const base = offset;
      const before = process.cpuUsage();
      results[side].push(await runConcurrent(per, concurrency, (i) => op(base + i)));
      // Work a side leaves behind (jobs, dispatch) is its own: counted until `between` ends.
      await options.between?.();
      const used = process.cpuUsage(before);
      cpu[side] += (used.user + used.system) / 1000;
      offset += per;
    }
  }
  const a1 = combine(results.a);
  const b1 = combine(results.b);
  return {
    a: { ...a1, cpuMsPerOp: round(cpu.a / a1.ops, 3) },
    b: { ...b1, cpuMsPerOp: round(cpu.b / b1.ops, 3) },
  };
}

function combine(parts: readonly Throughput[]): Throughput {
  const ops = parts.reduce((s, p) => s + p.ops, 0);
  const seconds = parts.reduce((s, p) => s + p.seconds, 0);
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return {
    ops,
    seconds: round(seconds, 3),
    opsPerSec: round(ops / seconds, 1),
    p50Ms: median(parts.map((p) => p.p50Ms)),
    p99Ms: median(parts.map((p) => p.p99Ms)),
  };
}
