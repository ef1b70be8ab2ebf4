/**
 * Generates `api.d.ts` beside this file: TypeScript types of the example API, made by
 * openapi-typescript from `buildOpenApiDocument()` and formatted by biome as the repo is.
 * `npm run openapi:types` rewrites the file; test/e2e/typed-client.test.ts fails when the
 * committed file differs from what this generates now.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { buildOpenApiDocument } from '../../../examples/express/openapi.js';

export const API_TYPES_FILE = fileURLToPath(new URL('./api.d.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Formats `text` as biome (with the repo's biome.json) would format `file`. */
function biomeFormat(text: string, file: string): string {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  return execFileSync(
    process.execPath,
    [biome, 'format', `--stdin-file-path=${relative(REPO_ROOT, file)}`],
    { cwd: REPO_ROOT, input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
}

/** The content `api.d.ts` should have for the document as it is now. */
export async function generateApiTypes(): Promise<string> {
  const document = buildOpenApiDocument() as unknown as OpenAPI3;
  // A field with a default is optional to send (zod's input side); openapi-typescript would
  // otherwise type it as always present.
  const ast = await openapiTS(document, { defaultNonNullable: false });
  return biomeFormat(`${COMMENT_HEADER}${astToString(ast)}`, API_TYPES_FILE);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(API_TYPES_FILE, await generateApiTypes());
  console.log(`wrote ${relative(process.cwd(), API_TYPES_FILE)}`);
}
