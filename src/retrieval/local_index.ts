/**
 * An index directory opened once and kept for many searches (a VectorStore, store.ts):
 * - `flat`: every stored vector is scored (exact; the reference). The vectors are read into
 *   memory at open when they fit `memoryBytes`, else streamed block by block per search.
 * - `hnsw`: a usearch graph (hnsw_graph.ts), memory-mapped, proposes `candidates` rows per query;
 *   those rows' stored vectors are read by offset and scored exactly, so every score a caller sees
 *   is the exact inner product, as with `flat`.
 * Texts and titles of hits are read by offset from passages.jsonl; the corpus is never loaded.
 * Deleted rows (a tombstone list in the manifest) are never returned.
 *
 * What is checked when: open checks the manifest, that every file is at least as long as
 * recorded, and the checksums of the small files (offsets, up to SMALL_FILE_BYTES); the large
 * files (vectors, passage texts, graph) are checked in full only by verifyIndex, because reading
 * 60+ GB would make a Wikipedia-sized index take minutes to open. Damage found while searching
 * (a short read, an unreadable passage line) is an IndexDamagedError.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { checkFile } from '../io/checksums.js';
import { decodeFloat16 } from '../io/float16.js';
import { HnswGraph, DEFAULT_EF } from './hnsw_graph.js';
import { writeFileAtomic } from '../io/atomic_file.js';
import { BYTES_PER_VALUE, DenseIndex, MANIFEST_FILE } from './index_format.js';
import { IndexDamagedError, indexKind, readIndexManifest, type FullManifest } from './index_manifest.js';
import { memorySource, searchVectors, type VectorSource } from './search.js';
import type { StoredPassage } from './index_format.js';
import type { EncoderStamp, PassageRecord, PassageStore, StoreHit, StoreSearchOptions } from './store.js';
import { TopK } from './top_k.js';

/**
 * hnsw: rows proposed per query before exact re-ranking. The default graph links by angle, and
 * DPR ranks by inner product of unnormalised vectors, so the true top 100 hides among ~the
 * query's whole neighbourhood: 1,000 candidates gave recall@100 0.99 in the index-scale bench.
 */
export const DEFAULT_CANDIDATES = 1000;

/** Extra rows the flat kind's float32 scan hands to the exact re-rank. */
const FLAT_MARGIN = 32;

/** Files up to this size are checksummed at every open. */
export const SMALL_FILE_BYTES = 256 * 1024 * 1024;

export interface OpenIndexOptions {
  /** flat: hold the vectors in memory when they take at most this many bytes (default 2 GiB). */
  memoryBytes?: number;
  /** hnsw: the default search breadth (default 256). */
  ef?: number;
}

export class LocalIndex implements PassageStore {
  private idRows: Map<string, number> | undefined;
  private readonly deleted: Set<number>;

  private constructor(
    readonly dir: string,
    readonly manifest: FullManifest,
    private readonly dense: DenseIndex,
    private readonly vectorsFd: number,
    private readonly memory: Float32Array | undefined,
    private readonly graph: HnswGraph | undefined,
  ) {
    this.deleted = new Set(manifest.deleted ?? []);
  }

  get dim(): number {
    return this.manifest.dim;
  }

  get kind(): 'flat' | 'hnsw' {
    return indexKind(this.manifest);
  }

  get location(): string {
    return this.dir;
  }

  get encoder(): EncoderStamp {
    const e = this.manifest.encoder;
    return { model: e.model, dim: this.dim, config_sha256: e.config_sha256, ...(e.kernels !== undefined ? { kernels: e.kernels } : {}) };
  }

  static async open(dir: string, options: OpenIndexOptions = {}): Promise<LocalIndex> {
    const manifest = readIndexManifest(dir);
    for (const [file, record] of Object.entries(manifest.checksums ?? {})) {
      if (record.bytes > SMALL_FILE_BYTES) continue;
      const problems = await checkFile(join(dir, file), record);
      if (problems.length > 0) throw new IndexDamagedError(dir, `${file} ${problems[0]}`);
    }
    const dense = await DenseIndex.open(dir);
    const vectorsFd = openSync(join(dir, manifest.files.embeddings), 'r');
    const bytes = manifest.count * manifest.dim * 4;
    const kind = indexKind(manifest);
    let memory: Float32Array | undefined;
    if (kind === 'flat' && bytes <= (options.memoryBytes ?? 2 ** 31)) memory = await dense.readVectors(0, manifest.count);
    let graph: HnswGraph | undefined;
    if (kind === 'hnsw') {
      const h = manifest.hnsw!;
      graph = HnswGraph.open(join(dir, h.file), manifest.dim, h.settings, options.ef ?? DEFAULT_EF);
    }
    return new LocalIndex(dir, manifest, dense, vectorsFd, memory, graph);
  }

  async count(): Promise<number> {
    return this.manifest.count - this.deleted.size;
  }

  private checkQueries(queries: readonly Float32Array[]): void {
    queries.forEach((q, i) => {
      if (q.length !== this.dim) {
        throw new InputError(
          `query ${i} has ${q.length} values but the index holds vectors of ${this.dim}; encode queries with the question encoder that matches the index.`,
        );
      }
      for (let j = 0; j < q.length; j++)
        if (!Number.isFinite(q[j]!)) throw new InputError(`query ${i} holds ${q[j]} at position ${j}; query vectors must be finite.`);
    });
  }

  /** Per query, the best rows and their exact scores (deleted rows left out). */
  async searchRows(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<Array<Array<{ row: number; score: number }>>> {
    const { k } = options;
    if (!Number.isInteger(k) || k < 1) throw new InputError(`k must be a positive integer, got ${k}.`);
    if (options.where !== undefined)
      throw new InputError(`\`where\` filters are not supported by the ${this.kind} index in ${this.dir}; its passages carry no metadata.`);
    this.checkQueries(queries);
    if (this.graph === undefined || options.exact === true) {
      const source: VectorSource = this.memory !== undefined ? memorySource(this.memory, this.dim) : this.dense;
      // float32 block scores pick a few more than k; the exact re-rank settles near-ties at the edge.
      const wanted = Math.min(k + FLAT_MARGIN + this.deleted.size, this.manifest.count);
      const hits = await searchVectors(source, queries, { k: wanted });
      return hits.map((h, q) =>
        this.rerank(
          queries[q]!,
          h.map((x) => x.index),
          k,
        ),
      );
    }
    const candidates = Math.max(k, options.candidates ?? DEFAULT_CANDIDATES);
    if (options.ef !== undefined) this.graph.setEf(options.ef);
    const proposed = this.graph.search(queries, candidates);
    return proposed.map((rows, q) => this.rerank(queries[q]!, rows, k));
  }

  /** Scores candidate rows exactly (float64 sums of the stored values) from the stored vectors; keeps the k best. */
  private rerank(query: Float32Array, rows: number[], k: number): Array<{ row: number; score: number }> {
    const heap = new TopK(k);
    const sorted = rows.filter((r) => !this.deleted.has(r)).sort((a, b) => a - b);
    for (const row of sorted)
      heap.push(dot(query, this.memory !== undefined ? this.memory.subarray(row * this.dim, (row + 1) * this.dim) : this.vector(row)), row);
    return heap.sorted().map((h) => ({ row: h.index, score: h.score }));
  }

  /** Row `row` of the stored matrix, as float32. */
  private vector(row: number): Float32Array {
    const { dim, dtype } = this.manifest;
    const bytesPer = BYTES_PER_VALUE[dtype];
    const buffer = new Uint8Array(dim * bytesPer);
    const n = readSync(this.vectorsFd, buffer, 0, buffer.length, row * dim * bytesPer);
    if (n !== buffer.length) throw new IndexDamagedError(this.dir, `${this.manifest.files.embeddings} ends inside row ${row}`);
    if (dtype === 'float16') return decodeFloat16(buffer);
    return new Float32Array(buffer.buffer, 0, dim);
  }

  async search(queries: readonly Float32Array[], options: StoreSearchOptions): Promise<StoreHit[][]> {
    const rows = await this.searchRows(queries, options);
    return Promise.all(rows.map((hits) => Promise.all(hits.map(async (h) => ({ ...(await this.passageAt(h.row)), score: h.score })))));
  }

  private async passageAt(row: number): Promise<StoredPassage> {
    try {
      const p = await this.dense.passage(row);
      return { id: String(p.id), title: p.title, text: p.text };
    } catch (e) {
      if (e instanceof InputError) throw new IndexDamagedError(this.dir, `passage row ${row} cannot be read (${e.message})`);
      throw e;
    }
  }

  /** id → row, built on first use by reading the ids of passages.jsonl (one pass). */
  private async rowsById(): Promise<Map<string, number>> {
    if (this.idRows !== undefined) return this.idRows;
    const map = new Map<string, number>();
    for (let row = 0; row < this.manifest.count; row++) if (!this.deleted.has(row)) map.set(String((await this.passageAt(row)).id), row);
    this.idRows = map;
    return map;
  }

  async get(ids: readonly (string | number)[]): Promise<Array<PassageRecord | undefined>> {
    const map = await this.rowsById();
    return Promise.all(ids.map(async (id) => (map.has(String(id)) ? this.passageAt(map.get(String(id))!) : undefined)));
  }

  async add(passages: readonly PassageRecord[], vectors: readonly Float32Array[]): Promise<void> {
    void passages;
    void vectors;
    throw new InputError('adding to an existing index is not supported yet; re-import or rebuild with the new passages.');
  }

  /**
   * Deletes by id: the rows join the manifest's tombstone list (rewritten atomically), which every
   * search filters — so a deleted id is never returned, whatever the graph still links to.
   */
  async delete(ids: readonly (string | number)[]): Promise<number> {
    const map = await this.rowsById();
    const rows = ids.map((id) => map.get(String(id))).filter((r): r is number => r !== undefined);
    if (rows.length === 0) return 0;
    for (const r of rows) this.deleted.add(r);
    for (const id of ids) map.delete(String(id));
    this.manifest.deleted = [...this.deleted].sort((a, b) => a - b);
    writeFileAtomic(join(this.dir, MANIFEST_FILE), JSON.stringify(this.manifest, null, 2) + '\n');
    return new Set(rows).size;
  }

  async close(): Promise<void> {
    closeSync(this.vectorsFd);
    await this.dense.close();
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
