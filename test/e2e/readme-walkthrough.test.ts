/**
 * The README's "Example server" section, checked against the real thing: its curl
 * walk-through (the ```bash walkthrough blocks) runs with bash against a freshly started
 * `examples/express/server.ts` and must print what the README says it prints (the
 * ```text walkthrough-output block), and so do the walk-throughs after it (```bash
 * walkthrough-<name> and ```text walkthrough-<name>-output: shipping in parts, an edit and
 * an exchange, stock); its endpoint table must list exactly the operations of the server's
 * OpenAPI document.
 *
 * Needs bash, curl and jq. Without them the walk-through is skipped with a loud warning,
 * except under CI=true, where it fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../examples/express/openapi.js';
import { killServerProcesses, ROOT, startServerProcess } from './support/server-process.js';

const CI = process.env.CI === 'true';
const TOOLS = ['bash', 'curl', 'jq'];
const missing = TOOLS.filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0,
);
if (missing.length > 0 && !CI) {
  console.warn(
    `\n*** SKIPPING THE README WALK-THROUGH: ${missing.join(', ')} not installed (apt-get install -y ${missing.join(' ')}). Under CI=true this fails. ***\n`,
  );
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's `## Example server` section, up to the next `## ` heading. */
function exampleServerSection(): string {
  const start = readme.indexOf('\n## Example server\n');
  expect(start, 'README.md has no "## Example server" section').toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** The bodies of the fenced blocks whose info string is exactly `info`. */
function fencedBlocks(text: string, info: string): string[] {
  const blocks: string[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    if (match[1]?.trim() === info) blocks.push(match[2] as string);
  }
  return blocks;
}

let workDir: string | undefined;

afterEach(async () => {
  await killServerProcesses();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
});

/** Runs a bash script to completion (bounded); resolves with its exit code and output. */
async function runBash(script: string, cwd: string, env: Record<string, string>) {
  const child = spawn('bash', [script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  return { code: code ?? signal, stdout, stderr };
}

describe('README "Example server"', () => {
  it('lists exactly the operations of the OpenAPI document in its endpoint table', () => {
    const documented = new Set<string>();
    for (const line of exampleServerSection().split('\n')) {
      const row = /^\|\s*(GET|POST|PATCH|PUT|DELETE)\s*\|\s*`([^`]+)`/.exec(line);
      if (row) documented.add(`${row[1]} ${row[2]}`);
    }
    const served = new Set<string>();
    for (const [path, operations] of Object.entries(buildOpenApiDocument().paths ?? {})) {
      for (const method of Object.keys(operations as object)) {
        served.add(`${method.toUpperCase()} ${path}`);
      }
    }
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it.skipIf(missing.length > 0 && !CI)(
    'walk-through: the curl blocks run as pasted against npm start and print what it says',
    async () => {
      expect(missing, `the walk-through needs ${missing.join(', ')} installed`).toEqual([]);
      const section = exampleServerSection();
      const blocks = fencedBlocks(section, 'bash walkthrough');
      const [expectedOutput] = fencedBlocks(section, 'text walkthrough-output');
      expect(blocks.length).toBeGreaterThanOrEqual(5);
      expect(expectedOutput).toBeDefined();

      // The server is started the way the README says, with the key its blocks export.
      const key = /^export ORDERFLOW_API_KEY=(\S+)$/m.exec(blocks[0] as string)?.[1];
      expect(key, 'the first walk-through block exports ORDERFLOW_API_KEY').toBeDefined();
      expect(section).toContain(`\`\`\`bash\nexport ORDERFLOW_API_KEY=${key}\nnpm start\n\`\`\``);
      for (const block of blocks) expect(block).not.toMatch(/localhost:3000(?!\})/);

      workDir = mkdtempSync(join(tmpdir(), 'orderflow-readme-'));
      const server = await startServerProcess({
        cwd: workDir,
        env: { ORDERFLOW_API_KEY: key as string },
      });
      // `npm start` keeps its SQLite file under ./data of the directory it runs in.
      expect(existsSync(join(workDir, 'data', 'orderflow.db'))).toBe(true);

      // The blocks in order, in one shell (they share variables), each announced on stdout.
      // `set -euo pipefail` makes any failing command fail the test.
      const script = join(workDir, 'walkthrough.sh');
      writeFileSync(
        script,
        [
          'set -euo pipefail',
          ...blocks.flatMap((block, i) => [`echo '@@ block ${i} @@'`, block]),
          'echo "@@ done @@"',
        ].join('\n'),
      );
      const run = await runBash(script, workDir, {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: workDir,
        LANG: 'C.UTF-8',
        ORDERFLOW_URL: server.url,
      });
      const report = `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- server\n${server.output()}`;
      expect(run.code, report).toBe(0);
      expect(run.stdout, report).toMatch(/@@ done @@\n$/);

      const outputs = run.stdout
        .replace(/@@ done @@\n$/, '')
        .split(/^@@ block \d+ @@\n/m)
        .slice(1);
      expect(outputs).toHaveLength(blocks.length);
      const part = (i: number) => outputs.at(i) ?? '';
      const [health, created, paid] = [part(0), part(1), part(2)];
      const [fulfilled, returned, final] = [part(-3), part(-2), part(-1)];
      expect(health.trim()).toBe('{"status":"ok","storage":"ok","jobs":"ok"}');
      expect(JSON.parse(created)).toMatchObject({ state: 'pending', total: 5748 });
      expect(paid, report).toMatch(/^Idempotency-Replayed: true\r?$/im);
      expect(paid, report).toContain('{"state":"confirmed","paidTotal":5748');
      expect(fulfilled, report).toContain('"code":"concurrency_conflict"');
      expect(fulfilled, report).toContain('{"state":"delivered"');
      expect(returned, report).toContain('{"state":"pickup_scheduled"');
      expect(returned, report).toContain('{"state":"processed"}');
      // What the README shows as the result is exactly what the walk-through prints.
      expect(final, report).toBe(expectedOutput);
      // The only complaint on stderr is the deliberate stale If-Match.
      expect(run.stderr.trim(), report).toMatch(/^curl: \(22\) .*\b409\b[^\n]*$/);

      expect(await server.stop()).toBe(0);
    },
    120_000,
  );

  /**
   * The other walk-throughs of the section (```bash walkthrough-<name> blocks), each after
   * the first block of the main one (the key, `$API` and `api`), on one fresh server.
   * What each may print on stderr: curl's complaint about a deliberate refusal.
   */
  const MORE_WALKTHROUGHS: Record<string, RegExp> = {
    'walkthrough-shipments': /^$/,
    'walkthrough-edits': /^$/,
    'walkthrough-stock': /^curl: \(22\) .*\b409\b[^\n]*$/,
  };

  it.skipIf(missing.length > 0 && !CI)(
    'walk-throughs of shipping in parts, an edit and an exchange, and stock print what they say',
    async () => {
      expect(missing, `the walk-throughs need ${missing.join(', ')} installed`).toEqual([]);
      const section = exampleServerSection();
      const [setup] = fencedBlocks(section, 'bash walkthrough');
      expect(setup).toContain('api() {');
      const key = /^export ORDERFLOW_API_KEY=(\S+)$/m.exec(setup as string)?.[1] as string;

      workDir = mkdtempSync(join(tmpdir(), 'orderflow-readme-'));
      const server = await startServerProcess({ cwd: workDir, env: { ORDERFLOW_API_KEY: key } });
      for (const [name, stderr] of Object.entries(MORE_WALKTHROUGHS)) {
        const blocks = fencedBlocks(section, `bash ${name}`);
        const [expectedOutput] = fencedBlocks(section, `text ${name}-output`);
        expect(blocks.length, name).toBeGreaterThanOrEqual(3);
        expect(expectedOutput, `${name}-output`).toBeDefined();
        for (const block of blocks) expect(block).not.toMatch(/localhost:3000(?!\})/);

        const script = join(workDir, `${name}.sh`);
        writeFileSync(
          script,
          [
            'set -euo pipefail',
            setup as string,
            ...blocks.flatMap((block, i) => [`echo '@@ block ${i} @@'`, block]),
            'echo "@@ done @@"',
          ].join('\n'),
        );
        const run = await runBash(script, workDir, {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: workDir,
          LANG: 'C.UTF-8',
          ORDERFLOW_URL: server.url,
        });
        const report = `${name}: exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- server\n${server.output()}`;
        expect(run.code, report).toBe(0);
        expect(run.stdout, report).toMatch(/@@ done @@\n$/);
        const outputs = run.stdout
          .replace(/@@ done @@\n$/, '')
          .split(/^@@ block \d+ @@\n/m)
          .slice(1);
        expect(outputs, report).toHaveLength(blocks.length);
        expect(outputs.at(-1), report).toBe(expectedOutput);
        expect(run.stderr.trim(), report).toMatch(stderr);
      }
      expect(await server.stop()).toBe(0);
    },
    180_000,
  );
});
