/**
 * The last steps every way of making an index shares (import, merge, build): build the HNSW graph
 * over the staged vectors when the kind asks for one, record every file's checksum in the
 * manifest, and commit (manifest last).
 */
import { existsSync, mkdirSync, openSync, closeSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { checksumFile } from '../io/checksums.js';
import { decodeFloat16 } from '../io/float16.js';
import { DEFAULT_HNSW, HnswGraph, type HnswSettings } from './hnsw_graph.js';
import { commitIndex, type WrittenFiles } from './index_files.js';
import { INDEX_FORMAT, INDEX_VERSION, type IndexManifest } from './index_format.js';
import type { FullManifest, IndexKind, ShardInfo } from './index_manifest.js';

export const GRAPH_FILE = 'graph.usearch';
const GRAPH_BLOCK_ROWS = 16_384;

export interface FinishOptions {
  kind: IndexKind;
  hnsw?: Partial<HnswSettings>;
  encoder: IndexManifest['encoder'];
  shard?: ShardInfo;
  /** Called with the rows added to the graph so far. */
  onGraphProgress?(done: number): void;
}

/** Reads rows [start, start + rows) of a staged embedding file as float32. */
export function readStagedRows(fd: number, written: Pick<WrittenFiles, 'dim' | 'dtype'>, start: number, rows: number): Float32Array {
  const bytesPer = written.dtype === 'float16' ? 2 : 4;
  const buffer = new Uint8Array(rows * written.dim * bytesPer);
  let got = 0;
  while (got < buffer.length) {
    const n = readSync(fd, buffer, got, buffer.length - got, start * written.dim * bytesPer + got);
    if (n === 0) throw new Error(`the staged embedding file ended at row ${start}`);
    got += n;
  }
  return written.dtype === 'float16' ? decodeFloat16(buffer) : new Float32Array(buffer.buffer);
}

/** Builds the graph over every staged row (keys = rows) and saves it as `file` in the staging directory. */
export function buildGraphFile(
  stagingDir: string,
  written: WrittenFiles,
  settings: HnswSettings,
  file: string,
  onProgress?: (done: number) => void,
): void {
  const graph = HnswGraph.create(written.dim, settings);
  const fd = openSync(join(stagingDir, written.files.embeddings), 'r');
  try {
    for (let start = 0; start < written.count; start += GRAPH_BLOCK_ROWS) {
      const rows = Math.min(GRAPH_BLOCK_ROWS, written.count - start);
      graph.add(readStagedRows(fd, written, start, rows), start);
      onProgress?.(start + rows);
    }
  } finally {
    closeSync(fd);
  }
  graph.save(join(stagingDir, file));
}

export async function finishIndex(
  outDir: string,
  stagingDir: string,
  written: WrittenFiles,
  options: FinishOptions,
): Promise<FullManifest> {
  const extra: string[] = [];
  const manifest: FullManifest = {
    format: INDEX_FORMAT,
    version: INDEX_VERSION,
    kind: options.kind,
    count: written.count,
    dim: written.dim,
    dtype: written.dtype,
    files: written.files,
    encoder: options.encoder,
    checksums: { ...written.checksums },
    ...(options.shard !== undefined ? { shard: options.shard } : {}),
  };
  if (options.kind === 'hnsw') {
    const settings: HnswSettings = { ...DEFAULT_HNSW, ...options.hnsw };
    buildGraphFile(stagingDir, written, settings, GRAPH_FILE, options.onGraphProgress);
    manifest.hnsw = { file: GRAPH_FILE, settings };
    manifest.checksums![GRAPH_FILE] = await checksumFile(join(stagingDir, GRAPH_FILE));
    extra.push(GRAPH_FILE);
  } else if (existsSync(join(outDir, GRAPH_FILE))) {
    rmSync(join(outDir, GRAPH_FILE), { force: true });
  }
  mkdirSync(outDir, { recursive: true });
  commitIndex(outDir, stagingDir, manifest, extra);
  return manifest;
}

/** The corpus rows [start, end) of shard `index` of `of` (DPR's equal slices; the last takes the rest). */
export function shardRange(shard: { index: number; of: number; corpusCount: number }): ShardInfo {
  const { index, of, corpusCount } = shard;
  if (!Number.isInteger(of) || of < 1 || !Number.isInteger(index) || index < 0 || index >= of) {
    throw new InputError(`shard must be I/N with 0 ≤ I < N, got ${index}/${of}.`);
  }
  const size = Math.ceil(corpusCount / of);
  const start = Math.min(corpusCount, index * size);
  const end = Math.min(corpusCount, start + size);
  if (start === end) throw new InputError(`shard ${index}/${of} of ${corpusCount} passages is empty; use fewer shards.`);
  return { index, of, start, end, corpus_count: corpusCount };
}

/** Items [start, end) of a stream. */
export async function* sliceStream<T>(items: AsyncIterable<T>, start: number, end: number): AsyncGenerator<T> {
  let i = 0;
  for await (const item of items) {
    if (i >= end) return;
    if (i++ >= start) yield item;
  }
}

/**
 * Completes the manifest of files already in `outDir`: their checksums (one read of each), the
 * graph for the hnsw kind (built into outDir; the manifest, written after, makes it part of the
 * index), the shard slice.
 */
export async function completeManifest(outDir: string, manifest: FullManifest, options: Omit<FinishOptions, 'encoder'>): Promise<void> {
  manifest.kind = options.kind;
  manifest.checksums = {};
  for (const file of [manifest.files.embeddings, manifest.files.passages, manifest.files.offsets])
    manifest.checksums[file] = await checksumFile(join(outDir, file));
  if (options.kind === 'hnsw') {
    const settings: HnswSettings = { ...DEFAULT_HNSW, ...options.hnsw };
    const written = { count: manifest.count, dim: manifest.dim, dtype: manifest.dtype, files: manifest.files, checksums: {} };
    buildGraphFile(outDir, written, settings, GRAPH_FILE, options.onGraphProgress);
    manifest.hnsw = { file: GRAPH_FILE, settings };
    manifest.checksums[GRAPH_FILE] = await checksumFile(join(outDir, GRAPH_FILE));
  } else {
    rmSync(join(outDir, GRAPH_FILE), { force: true });
  }
  if (options.shard !== undefined) manifest.shard = options.shard;
}
