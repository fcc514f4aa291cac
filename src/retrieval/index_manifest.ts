/**
 * What an index's manifest.json records beyond the flat layout (index_format.ts): the index kind,
 * the checksums of its files (written as they were built, checked by verifyIndex), the HNSW
 * graph's file and settings, deleted rows, and — for a shard of a sharded build — which slice of
 * the corpus it holds.
 */
import { InputError } from '../errors.js';
import type { FileChecksum } from '../io/checksums.js';
import type { HnswSettings } from './hnsw_graph.js';
import { readManifest, type IndexManifest } from './index_format.js';

export type IndexKind = 'flat' | 'hnsw';
export const INDEX_KINDS: readonly IndexKind[] = ['flat', 'hnsw'];

export interface ShardInfo {
  /** 0-based shard number and shard count (DPR's shard_id / num_shards). */
  index: number;
  of: number;
  /** The corpus rows [start, end) this shard holds, and the corpus size. */
  start: number;
  end: number;
  corpus_count: number;
}

export interface FullManifest extends IndexManifest {
  /** Absent in indexes written before kinds existed: they are flat. */
  kind?: IndexKind;
  /** Per file name, its recorded length and chunk checksums. */
  checksums?: Record<string, FileChecksum>;
  hnsw?: { file: string; settings: HnswSettings };
  /** Rows deleted since the build, ascending; never returned by a search. */
  deleted?: number[];
  shard?: ShardInfo;
}

/** A file of an index does not match what was recorded when it was built. */
export class IndexDamagedError extends InputError {
  constructor(
    readonly dir: string,
    readonly problem: string,
  ) {
    super(
      `the index in ${dir} is damaged: ${problem}; verifyIndex (\`dpr index verify\`) lists every damaged file — rebuild or re-import the index.`,
    );
  }
}

export function indexKind(m: IndexManifest): IndexKind {
  return (m as FullManifest).kind ?? 'flat';
}

export function readIndexManifest(dir: string): FullManifest {
  const m = readManifest(dir) as FullManifest;
  const kind = indexKind(m);
  if (!INDEX_KINDS.includes(kind))
    throw new InputError(
      `${dir} is an index of kind ${JSON.stringify(kind)}, which this version cannot read (it reads ${INDEX_KINDS.join(', ')}).`,
    );
  if (kind === 'hnsw' && m.hnsw === undefined) throw new IndexDamagedError(dir, 'the manifest names kind "hnsw" but records no graph');
  return m;
}
