/**
 * The passage store: what every place that holds passages with their vectors offers — the local
 * index kinds (flat, hnsw) and databases (PostgreSQL + pgvector, PGlite). Search, ask, eval and
 * the server are written against this interface only, so a user can swap one store for another.
 *
 * Ranking is by inner product (DPR's MIPS), best first; ties go to the passage added first. The
 * scores a store returns are exact inner products of the stored vectors with the query, even when
 * the candidates came from an approximate structure (they are re-ranked exactly).
 */
import type { StoredPassage } from './index_format.js';

/** A passage to add, with optional metadata that `where` filters can match. */
export interface PassageRecord extends StoredPassage {
  metadata?: Record<string, string | number | boolean | null>;
}

export interface StoreHit extends PassageRecord {
  score: number;
}

export interface StoreSearchOptions {
  k: number;
  /** Only passages whose metadata has every KEY equal to VALUE (compared as strings). */
  where?: Readonly<Record<string, string>>;
  /** Score every stored vector (no approximate structure): to measure an ANN structure's recall. */
  exact?: boolean;
  /** Approximate search breadth (HNSW `ef`): more is slower and finds more of the exact top k. */
  ef?: number;
  /** Candidates fetched from the approximate structure and re-ranked exactly (at least k). */
  candidates?: number;
}

/** The encoder that made a store's vectors; a query encoder must give vectors of the same `dim`. */
export interface EncoderStamp {
  model: string;
  dim: number;
  config_sha256?: string;
  /** Backend and kernels that computed the vectors (e.g. "wasm/native-avx512"). */
  kernels?: string;
}

export interface PassageStore {
  /** e.g. "flat", "hnsw", "pgvector". */
  readonly kind: string;
  /** Where it lives, for messages (never holds a password). */
  readonly location: string;
  readonly encoder: EncoderStamp;
  count(): Promise<number>;
  /** Adds or replaces (by id) passages with their vectors (`vectors[i]` belongs to `passages[i]`). */
  add(passages: readonly PassageRecord[], vectors: readonly Float32Array[]): Promise<void>;
  /** Each query's best min(k, count) passages, best first. */
  search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<StoreHit[][]>;
  /** The passages with these ids, in the same order; `undefined` for an id the store lacks. */
  get(ids: readonly (string | number)[]): Promise<(PassageRecord | undefined)[]>;
  /** Removes these ids; returns how many were present. A deleted id is never returned again. */
  delete(ids: readonly (string | number)[]): Promise<number>;
  close(): Promise<void>;
}
