// Prints the first code block under "## Quick start" in the given README.
import { readFileSync } from 'node:fs';

const readme = readFileSync(process.argv[2], 'utf8');
const section = readme.slice(readme.indexOf('## Quick start'));
const match = section.match(/```ts\n([\s\S]*?)```/);
if (!match) {
  console.error('no ts code block under "## Quick start"');
  process.exit(1);
}
process.stdout.write(match[1]);
