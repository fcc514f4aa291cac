/**
 * The approximate-search graph of the `hnsw` index kind, on usearch (unum-cloud/usearch: HNSW with
 * f32/f16/i8 storage, multi-threaded inserts, memory-mapped serving; it installs from the npm
 * registry with a prebuilt binary). Wrapped once here, so the rest of the code speaks of rows and
 * candidates, never of the library. Keys are index rows; the graph only proposes candidates —
 * scores come from the stored float32 vectors (exact re-ranking, local_index.ts).
 */
import { Index, MetricKind, ScalarKind } from 'usearch';
import { InputError } from '../errors.js';

export type GraphMetric = 'ip' | 'cos';
export type GraphStorage = 'f32' | 'f16' | 'i8';

/** How the graph is built; recorded in the manifest (`hnsw`), so an index opens as it was built. */
export interface HnswSettings {
  /**
   * 'cos' links vectors by angle (usearch normalises them; i8 storage always does), 'ip' by raw
   * inner product. See README "Index kinds" for the measurements behind the default.
   */
  metric: GraphMetric;
  storage: GraphStorage;
  /** M: links per node. */
  connectivity: number;
  /** ef during construction. */
  expansion_add: number;
}

export const DEFAULT_HNSW: HnswSettings = { metric: 'cos', storage: 'i8', connectivity: 16, expansion_add: 128 };
export const DEFAULT_EF = 256;

const METRICS: Record<GraphMetric, MetricKind> = { ip: MetricKind.IP, cos: MetricKind.Cos };
const STORAGE: Record<GraphStorage, ScalarKind> = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 };

export function checkHnswSettings(s: HnswSettings): void {
  if (!(s.metric in METRICS))
    throw new InputError(`hnsw metric must be one of ${Object.keys(METRICS).join(', ')}, got ${JSON.stringify(s.metric)}.`);
  if (!(s.storage in STORAGE))
    throw new InputError(`hnsw storage must be one of ${Object.keys(STORAGE).join(', ')}, got ${JSON.stringify(s.storage)}.`);
  for (const key of ['connectivity', 'expansion_add'] as const) {
    if (!Number.isInteger(s[key]) || s[key] < 2) throw new InputError(`hnsw ${key} must be an integer ≥ 2, got ${s[key]}.`);
  }
}

export class HnswGraph {
  private constructor(
    private index: Index,
    readonly dim: number,
    readonly settings: HnswSettings,
    private ef: number,
    /** The file the graph was opened from (reopened to change ef), if any. */
    private readonly path: string | undefined,
  ) {}

  private static make(dim: number, settings: HnswSettings, ef: number): Index {
    checkHnswSettings(settings);
    return new Index({
      dimensions: dim,
      metric: METRICS[settings.metric],
      quantization: STORAGE[settings.storage],
      connectivity: settings.connectivity,
      expansion_add: settings.expansion_add,
      expansion_search: ef,
      multi: false,
    });
  }

  static create(dim: number, settings: HnswSettings): HnswGraph {
    return new HnswGraph(HnswGraph.make(dim, settings, DEFAULT_EF), dim, settings, DEFAULT_EF, undefined);
  }

  /** Opens a saved graph memory-mapped (the OS pages it in as searches touch it). */
  static open(path: string, dim: number, settings: HnswSettings, ef = DEFAULT_EF): HnswGraph {
    const index = HnswGraph.make(dim, settings, ef);
    index.view(path);
    return new HnswGraph(index, dim, settings, ef, path);
  }

  /** Loads a saved graph into memory, so it can be changed (add, remove) and saved again. */
  static load(path: string, dim: number, settings: HnswSettings): HnswGraph {
    const index = HnswGraph.make(dim, settings, DEFAULT_EF);
    index.load(path);
    return new HnswGraph(index, dim, settings, DEFAULT_EF, undefined);
  }

  get size(): number {
    return this.index.size();
  }

  /** Adds `rows` vectors (row-major) with keys firstKey, firstKey + 1, … (threads 0: all cores). */
  add(vectors: Float32Array, firstKey: number, threads = 0): void {
    const rows = vectors.length / this.dim;
    const keys = BigUint64Array.from({ length: rows }, (_, i) => BigInt(firstKey + i));
    this.index.add(keys, vectors, threads);
  }

  remove(keys: readonly number[]): void {
    if (keys.length > 0) this.index.remove(BigUint64Array.from(keys, (k) => BigInt(k)));
  }

  /** Changes the search breadth; a memory-mapped graph is mapped again with the new setting. */
  setEf(ef: number): void {
    if (ef === this.ef) return;
    if (!Number.isInteger(ef) || ef < 1) throw new InputError(`ef must be a positive integer, got ${ef}.`);
    if (this.path === undefined) throw new InputError('ef can be changed only on a graph opened from a file.');
    const index = HnswGraph.make(this.dim, this.settings, ef);
    index.view(this.path);
    this.index = index;
    this.ef = ef;
  }

  /** Up to `candidates` rows per query (nearest first by the graph's metric). */
  search(queries: readonly Float32Array[], candidates: number, threads = 0): number[][] {
    if (queries.length === 0) return [];
    const flat = new Float32Array(queries.length * this.dim);
    queries.forEach((q, i) => flat.set(q, i * this.dim));
    const result = this.index.search(flat, candidates, threads);
    if (queries.length === 1 && 'keys' in result && !('counts' in result)) return [Array.from(result.keys, Number)];
    const batch = result as unknown as { keys: BigUint64Array; counts: BigUint64Array; k: number };
    return queries.map((_, q) => {
      const start = q * batch.k;
      return Array.from(batch.keys.subarray(start, start + Number(batch.counts[q])), Number);
    });
  }

  save(path: string): void {
    this.index.save(path);
  }
}
