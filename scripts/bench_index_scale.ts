/**
 * Index kinds at scale: seeded clustered, unnormalised 768-value vectors (clustered_vectors.ts,
 * shaped like DPR's) written as an index of each kind; per kind: build time, bytes on disk,
 * resident memory while serving (measured in a separate serving process), recall@10 and @100
 * against exact search, ms/query at batch 1 and 64.
 *
 *   npm run bench -- --only index-scale                      1,000,000 vectors (takes a while)
 *   npm run bench -- --only index-scale --count 100000       quicker
 *   (or BENCH_INDEX_COUNT=100000; BENCH_INDEX_CANDIDATES=1000 for the hnsw re-rank depth)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HNSW, type HnswSettings } from '../src/retrieval/hnsw_graph.js';
import { IndexFilesWriter, type PassageWithVector } from '../src/retrieval/index_files.js';
import { finishIndex } from '../src/retrieval/index_finish.js';
import type { IndexKind } from '../src/retrieval/index_manifest.js';
import { ClusteredVectors } from './clustered_vectors.js';

const DIM = 768;
const QUERIES = 200;
const BATCH1_QUERIES = 50;
const BLOCK = 10_000;

type Row = Record<string, string | number>;

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

/** Writes the same generated vectors (same seed) as an index of `kind`; returns the build seconds. */
async function build(dir: string, count: number, kind: IndexKind, hnsw: Partial<HnswSettings>): Promise<number> {
  const gen = new ClusteredVectors(count, { dim: DIM, seed: 17 });
  const started = performance.now();
  let generating = 0;
  const writer = new IndexFilesWriter(join(dir, '.stage'), 'float32');
  for (let start = 0; start < count; start += BLOCK) {
    const rows = Math.min(BLOCK, count - start);
    const g = performance.now();
    const vectors = gen.passages(rows);
    generating += performance.now() - g;
    const batch: PassageWithVector[] = Array.from({ length: rows }, (_, r) => ({
      id: String(start + r),
      title: '',
      text: `passage ${start + r}`,
      vector: vectors.subarray(r * DIM, (r + 1) * DIM),
    }));
    writer.append(batch);
  }
  const written = writer.finish();
  await finishIndex(dir, join(dir, '.stage'), written, {
    kind,
    hnsw,
    encoder: { model: 'bench', architecture: 'DPRContextEncoder', config_sha256: '', max_length: 0 },
  });
  return (performance.now() - started - generating) / 1000;
}

interface Served {
  ms_batch1: number;
  ms_batch64: number;
  rss_mb: number;
  rows: number[][];
}

function serve(dir: string, queriesPath: string, candidates: number | undefined): Served {
  const script = join(import.meta.dirname, 'bench_index_serve.ts');
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', script, dir, queriesPath, '100', candidates === undefined ? '' : String(candidates), String(BATCH1_QUERIES)],
    {
      maxBuffer: 1 << 28,
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Served;
}

function recall(approx: number[][], exact: number[][], k: number): number {
  let hit = 0;
  approx.forEach((rows, q) => {
    const truth = new Set(exact[q]!.slice(0, k));
    for (const r of rows.slice(0, k)) if (truth.has(r)) hit++;
  });
  return +(hit / (k * approx.length)).toFixed(4);
}

export async function benchIndexScale(count = Number(process.env['BENCH_INDEX_COUNT'] ?? 1_000_000)): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'dpr-bench-scale-'));
  const candidates = Number(process.env['BENCH_INDEX_CANDIDATES'] ?? 1000);
  try {
    const queriesPath = join(root, 'queries.f32');
    writeFileSync(queriesPath, new Uint8Array(new ClusteredVectors(count, { dim: DIM, seed: 17 }).queriesOnly(QUERIES).buffer));
    const kinds: Array<{ name: string; kind: IndexKind; hnsw: Partial<HnswSettings>; candidates?: number }> = [
      { name: 'flat', kind: 'flat', hnsw: {} },
      { name: `hnsw ${DEFAULT_HNSW.metric} ${DEFAULT_HNSW.storage}`, kind: 'hnsw', hnsw: {}, candidates },
      { name: 'hnsw ip f16', kind: 'hnsw', hnsw: { metric: 'ip', storage: 'f16' }, candidates: 100 },
    ];
    const rows: Row[] = [];
    let exact: number[][] | undefined;
    for (const k of kinds) {
      const dir = join(root, k.name.replace(/ /g, '_'));
      const buildS = await build(dir, count, k.kind, k.hnsw);
      const served = serve(dir, queriesPath, k.candidates);
      exact ??= served.rows;
      rows.push({
        workload: 'index_scale',
        kind: k.name,
        vectors: count,
        candidates: k.candidates ?? '',
        build_s: +buildS.toFixed(1),
        disk_mb: Math.round(dirBytes(dir) / 2 ** 20),
        rss_mb: served.rss_mb,
        recall10: recall(served.rows, exact, 10),
        recall100: recall(served.rows, exact, 100),
        ms_batch1: served.ms_batch1,
        ms_batch64: served.ms_batch64,
      });
      console.error(JSON.stringify(rows[rows.length - 1]));
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('bench_index_scale.ts')) {
  const i = process.argv.indexOf('--count');
  for (const row of await benchIndexScale(i >= 0 ? Number(process.argv[i + 1]) : undefined)) console.log(JSON.stringify(row));
}
