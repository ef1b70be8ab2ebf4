import { readFileSync, writeFileSync } from 'node:fs';
import { withDiagrams } from './diagrams.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = withDiagrams(before);
writeFileSync(path, after);
console.log(before === after ? 'README diagrams already up to date' : 'README diagrams updated');
