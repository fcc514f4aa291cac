/**
 * The file side of evaluation (Node only): QA files and the BM25 index file in an index directory.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { Bm25Index, BM25_INDEX_FILE } from './bm25_index.js';
import { parseQaText, type ParseQaOptions, type QaSample } from './qa_file.js';

export async function readQaFile(path: string, options: Omit<ParseQaOptions, 'source'> = {}): Promise<QaSample[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read the QA file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  return parseQaText(text, { ...options, source: path });
}

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
    throw new InputError(`${indexDir}: holds no BM25 index (${BM25_INDEX_FILE}); build one with Bm25Index.build and saveBm25Index first.`);
  }
  return Bm25Index.fromBytes(await readFile(path), path);
}
