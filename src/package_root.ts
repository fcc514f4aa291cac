/**
 * The installed package's root directory (where package.json and data/ live), found from this
 * file's location so it works from the sources (src/) and from the build (dist/src/).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'tfjs-dpr') {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the tfjs-dpr package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** The bundled sample corpus: a few hundred short passages of general knowledge. */
export function sampleCorpusPath(): string {
  return join(packageRoot(), 'data', 'sample_corpus.jsonl');
}
