/**
 * Which vector-search library, storage and metric suit DPR's unnormalised vectors: builds each
 * candidate configuration over the same seeded clustered vectors (scripts/clustered_vectors.ts)
 * and reports build time, ms/query and recall@10/@100 against exact inner-product search, with
 * the approximate candidates re-ranked exactly from the float32 vectors.
 *
 *   node --import tsx scripts/ann_libraries.ts [--count 100000] [--queries 200] [--only usearch|hnswlib]
 *     [--configs 'ip f16,ip i8'] [--M 16] [--ef-add 128] [--ef 256] [--candidates 100,300,1000]
 *
 * hnswlib-node is not a dependency (it compiles at install); its rows appear only when it can be
 * imported (install it by hand beside the project to compare).
 */
import { createRequire } from 'node:module';
import { MetricKind, ScalarKind, Index } from 'usearch';
import { memorySource, searchVectors } from '../src/retrieval/search.js';
import { ClusteredVectors } from './clustered_vectors.js';

const DIM = 768;

export interface Candidates {
  /** Row numbers, best first, per query. */
  rows: number[][];
}

export interface LabRow {
  [key: string]: string | number;
}

function dot(a: Float32Array, aStart: number, b: Float32Array, bStart: number, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += a[aStart + i]! * b[bStart + i]!;
  return s;
}

/** Exact re-ranking of candidate rows by inner product with the stored float32 vectors. */
export function rerank(data: Float32Array, query: Float32Array, qStart: number, rows: ArrayLike<number>, k: number): number[] {
  const scored: Array<[number, number]> = [];
  for (let i = 0; i < rows.length; i++) scored.push([rows[i]!, dot(data, rows[i]! * DIM, query, qStart, DIM)]);
  scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return scored.slice(0, k).map(([r]) => r);
}

export function recallAt(approx: number[][], exact: number[][], k: number): number {
  let hit = 0;
  approx.forEach((rows, q) => {
    const truth = new Set(exact[q]!.slice(0, k));
    for (const r of rows.slice(0, k)) if (truth.has(r)) hit++;
  });
  return +(hit / (k * approx.length)).toFixed(4);
}

/** DPR's HNSW trick: append sqrt(max‖x‖² − ‖x‖²) so that L2 order equals inner-product order. */
function augment(data: Float32Array, count: number): Float32Array {
  let maxNorm2 = 0;
  const norms = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    norms[r] = dot(data, r * DIM, data, r * DIM, DIM);
    maxNorm2 = Math.max(maxNorm2, norms[r]!);
  }
  const out = new Float32Array(count * (DIM + 1));
  for (let r = 0; r < count; r++) {
    out.set(data.subarray(r * DIM, (r + 1) * DIM), r * (DIM + 1));
    out[r * (DIM + 1) + DIM] = Math.sqrt(maxNorm2 - norms[r]!);
  }
  return out;
}

function withZero(queries: Float32Array, nq: number): Float32Array {
  const out = new Float32Array(nq * (DIM + 1));
  for (let q = 0; q < nq; q++) out.set(queries.subarray(q * DIM, (q + 1) * DIM), q * (DIM + 1));
  return out;
}

/** One global scale for all vectors (not per-vector normalisation): inner-product order survives i8. */
function quantizeGlobal(data: Float32Array): { values: Int8Array; scale: number } {
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) maxAbs = Math.max(maxAbs, Math.abs(data[i]!));
  const scale = 127 / maxAbs;
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) values[i] = Math.round(data[i]! * scale);
  return { values, scale };
}

interface UsearchConfig {
  name: string;
  metric: MetricKind;
  quantization: ScalarKind;
  feed: 'f32' | 'i8-global' | 'l2-augmented';
  connectivity: number;
  efAdd: number;
  efSearch: number;
}

interface Dataset {
  count: number;
  data: Float32Array;
  queries: Float32Array;
  nq: number;
  exact: number[][];
}

function usearchRows(set: Dataset, cfg: UsearchConfig, candidates: number[]): LabRow[] {
  const { count, data, queries, nq } = set;
  const dims = cfg.feed === 'l2-augmented' ? DIM + 1 : DIM;
  const index = new Index({
    dimensions: dims,
    metric: cfg.metric,
    quantization: cfg.quantization,
    connectivity: cfg.connectivity,
    expansion_add: cfg.efAdd,
    expansion_search: cfg.efSearch,
    multi: false,
  });
  let stored: Float32Array | Int8Array = data;
  let searchQueries: Float32Array | Int8Array = queries;
  if (cfg.feed === 'l2-augmented') {
    stored = augment(data, count);
    searchQueries = withZero(queries, nq);
  } else if (cfg.feed === 'i8-global') {
    const q = quantizeGlobal(data);
    stored = q.values;
    searchQueries = Int8Array.from(queries, (x) => Math.max(-127, Math.min(127, Math.round(x * q.scale))));
  }
  const keys = BigUint64Array.from({ length: count }, (_, i) => BigInt(i));
  const t0 = performance.now();
  const block = 20_000;
  for (let s = 0; s < count; s += block) {
    const e = Math.min(count, s + block);
    index.add(keys.subarray(s, e), stored.subarray(s * dims, e * dims), 0);
  }
  const buildS = (performance.now() - t0) / 1000;
  const rows: LabRow[] = [];
  for (const c of candidates) {
    const approx: number[][] = [];
    const t1 = performance.now();
    for (let q = 0; q < nq; q++) {
      const m = index.search(searchQueries.subarray(q * dims, (q + 1) * dims), c, 1) as { keys: BigUint64Array };
      approx.push(rerank(data, queries, q * DIM, Array.from(m.keys, Number), 100));
    }
    const ms = (performance.now() - t1) / nq;
    rows.push({
      library: 'usearch',
      config: cfg.name,
      M: cfg.connectivity,
      ef_add: cfg.efAdd,
      ef: cfg.efSearch,
      candidates: c,
      build_s: +buildS.toFixed(1),
      ms_per_query: +ms.toFixed(2),
      recall10: recallAt(approx, set.exact, 10),
      recall100: recallAt(approx, set.exact, 100),
    });
  }
  return rows;
}

interface HnswlibIndex {
  initIndex(opts: { maxElements: number; m?: number; efConstruction?: number; randomSeed?: number }): void;
  addPoint(point: number[], label: number): void;
  setEf(ef: number): void;
  searchKnn(query: number[], k: number): { neighbors: number[] };
}

function hnswlibRows(set: Dataset, ef: number, candidates: number[]): LabRow[] {
  let lib: { HierarchicalNSW: new (space: string, dim: number) => HnswlibIndex };
  try {
    lib = createRequire(import.meta.url)('hnswlib-node') as typeof lib;
  } catch {
    return [];
  }
  const { count, data, queries, nq } = set;
  const index = new lib.HierarchicalNSW('ip', DIM);
  index.initIndex({ maxElements: count, m: 16, efConstruction: 128, randomSeed: 100 });
  const t0 = performance.now();
  for (let r = 0; r < count; r++) index.addPoint(Array.from(data.subarray(r * DIM, (r + 1) * DIM)), r);
  const buildS = (performance.now() - t0) / 1000;
  const rows: LabRow[] = [];
  for (const c of candidates) {
    index.setEf(Math.max(ef, c));
    const approx: number[][] = [];
    const t1 = performance.now();
    for (let q = 0; q < nq; q++) {
      const res = index.searchKnn(Array.from(queries.subarray(q * DIM, (q + 1) * DIM)), c);
      approx.push(rerank(data, queries, q * DIM, res.neighbors, 100));
    }
    const ms = (performance.now() - t1) / nq;
    rows.push({
      library: 'hnswlib-node',
      config: 'ip f32',
      M: 16,
      ef_add: 128,
      ef: Math.max(ef, c),
      candidates: c,
      build_s: +buildS.toFixed(1),
      ms_per_query: +ms.toFixed(2),
      recall10: recallAt(approx, set.exact, 10),
      recall100: recallAt(approx, set.exact, 100),
    });
  }
  return rows;
}

export async function makeDataset(count: number, nq: number, seed = 17): Promise<Dataset> {
  const gen = new ClusteredVectors(count, { dim: DIM, seed });
  const data = gen.passages(count);
  const queries = gen.queries(nq);
  const qs = Array.from({ length: nq }, (_, q) => queries.subarray(q * DIM, (q + 1) * DIM));
  const hits = await searchVectors(memorySource(data, DIM), qs, { k: 100 });
  return { count, data, queries, nq, exact: hits.map((h) => h.map((x) => x.index)) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string, fallback: string): string => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1]! : fallback;
  };
  const count = Number(opt('count', '100000'));
  const nq = Number(opt('queries', '200'));
  const only = opt('only', '');
  const configFilter = opt('configs', '');
  const candidates = opt('candidates', '100,300,1000').split(',').map(Number);
  const set = await makeDataset(count, nq);
  const print = (rows: LabRow[]): void => rows.forEach((r) => console.log(JSON.stringify(r)));
  const base = { connectivity: Number(opt('M', '16')), efAdd: Number(opt('ef-add', '128')), efSearch: Number(opt('ef', '256')) };
  const configs: UsearchConfig[] = [
    { name: 'ip f32', metric: MetricKind.IP, quantization: ScalarKind.F32, feed: 'f32', ...base },
    { name: 'ip f16', metric: MetricKind.IP, quantization: ScalarKind.F16, feed: 'f32', ...base },
    { name: 'ip i8 (usearch casts: per-vector unit norm)', metric: MetricKind.IP, quantization: ScalarKind.I8, feed: 'f32', ...base },
    { name: 'ip i8 (global scale: norms kept)', metric: MetricKind.IP, quantization: ScalarKind.I8, feed: 'i8-global', ...base },
    { name: 'cos f16', metric: MetricKind.Cos, quantization: ScalarKind.F16, feed: 'f32', ...base },
    { name: 'l2 augmented f32 (DPR)', metric: MetricKind.L2sq, quantization: ScalarKind.F32, feed: 'l2-augmented', ...base },
  ];
  const chosen = configFilter === '' ? configs : configs.filter((c) => configFilter.split(',').some((f) => c.name.startsWith(f)));
  if (only === '' || only === 'usearch') for (const cfg of chosen) print(usearchRows(set, cfg, candidates));
  if (only === '' || only === 'hnswlib') print(hnswlibRows(set, base.efSearch, candidates));
}

if (process.argv[1]?.endsWith('ann_libraries.ts')) await main();
