// The package's own files as a user gets them: the MIT licence it declares, and source maps
// that map to the original files and lines without inlining the sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join('node_modules', 'orderflow');
const fail = (message) => {
  console.error(`pack-check: ${message}`);
  process.exit(1);
};

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
if (!existsSync(join(root, 'LICENSE'))) fail('no LICENSE file in the package');
if (!readFileSync(join(root, 'LICENSE'), 'utf8').startsWith(`${pkg.license} License`)) {
  fail(`LICENSE is not the ${pkg.license} licence package.json declares`);
}

const maps = readdirSync(join(root, 'dist'), { recursive: true }).filter((f) => f.endsWith('.map'));
if (maps.length === 0) fail('no source maps in dist/');
const sources = new Set();
for (const file of maps) {
  const map = JSON.parse(readFileSync(join(root, 'dist', file), 'utf8'));
  if (map.sourcesContent) fail(`${file} inlines its sources`);
  for (const source of map.sources) if (source.endsWith('.ts')) sources.add(source);
}
if (sources.size < 20) fail(`the maps name only ${sources.size} .ts sources`);

// A stack trace through the built code names the original source file.
const stack = execFileSync(
  process.execPath,
  [
    '--enable-source-maps',
    '--input-type=module',
    '-e',
    "import { parseInput, createOrderInput } from 'orderflow';" +
      "try { parseInput(createOrderInput, {}, 'order'); } catch (e) { console.log(e.stack); }",
  ],
  { encoding: 'utf8' },
);
if (!/src\/schemas\/parse\.ts:\d+:\d+/.test(stack)) fail(`stack not mapped to src/:\n${stack}`);
console.log(
  `pack-check: LICENSE (${pkg.license}) ships; ${maps.length} source maps name ${sources.size} .ts sources without inlining them; a stack trace maps to src/`,
);
