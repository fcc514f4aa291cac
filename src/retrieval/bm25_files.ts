/**
 * The BM25 index as a file (bm25.bin) inside a dense index directory (Node only).
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError } from '../errors.js';
import { Bm25Index, BM25_INDEX_FILE, PYSERINI_BM25_PARAMS, type Bm25Params, type Bm25Passage } from './bm25_index.js';
import type { DenseIndex, StoredPassage } from './index_format.js';

export function bm25IndexPath(indexDir: string): string {
  return join(indexDir, BM25_INDEX_FILE);
}

export function hasBm25Index(indexDir: string): boolean {
  return existsSync(bm25IndexPath(indexDir));
}

/** Writes `bm25.json` into the index directory (through a temporary file, so a crash leaves no half file). */
export async function saveBm25Index(indexDir: string, index: Bm25Index): Promise<string> {
  const path = bm25IndexPath(indexDir);
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, index.toBytes());
  await rename(tmp, path);
  return path;
}

export async function loadBm25Index(indexDir: string): Promise<Bm25Index> {
  const path = bm25IndexPath(indexDir);
  if (!existsSync(path)) {
    throw new InputError(`${indexDir} holds no BM25 index (${BM25_INDEX_FILE}); build it first (buildBm25ForIndex, then saveBm25Index).`);
  }
  return Bm25Index.fromBytes(await readFile(path), path);
}

/**
 * Builds the BM25 index of the passages stored in a dense index, in its row order (so BM25 rows
 * are dense-index rows), streaming the passages file rather than reading passage by passage.
 */
export async function buildBm25ForIndex(index: DenseIndex, params: Bm25Params = PYSERINI_BM25_PARAMS): Promise<Bm25Index> {
  const path = join(index.dir, index.manifest.files.passages);
  const passages: Bm25Passage[] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const p = JSON.parse(line) as StoredPassage;
    passages.push({ id: String(p.id), title: p.title, text: p.text });
  }
  if (passages.length !== index.count) {
    throw new InputError(`${path} holds ${passages.length} passages but the index manifest says ${index.count}; rebuild the index.`);
  }
  return Bm25Index.build(passages, params);
}
