import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END, renderDiagrams, START } from '../../scripts/diagrams.js';

describe('README state diagrams', () => {
  it('match the diagrams generated from the machines (run `npm run diagrams` after a change)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(section).toBe(renderDiagrams());
  });
});
