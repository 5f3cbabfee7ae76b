// Where the shared corpus lives (../shared/corpus from the project root). Conformance suites call
// corpusPath(); when the corpus is missing they fail loudly, never skip.
import { existsSync } from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS_ROOT = path.resolve(PROJECT_ROOT, '..', 'shared', 'corpus');

export function corpusPath(...parts: string[]): string {
  if (!existsSync(CORPUS_ROOT)) {
    throw new Error(`The shared corpus is missing: expected it at ${CORPUS_ROOT}. Conformance suites need ../shared/corpus beside the project.`);
  }
  const p = path.join(CORPUS_ROOT, ...parts);
  if (!existsSync(p)) throw new Error(`Corpus file missing: ${p}`);
  return p;
}
