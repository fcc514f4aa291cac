/**
 * Retrieval benchmarks:
 * - index_build: end-to-end `buildIndex` (tokenize, bucket, encode, write) of data/sample_corpus.jsonl
 *   with a BERT-base-sized random context encoder (12 layers, hidden 768), passages/s.
 * - search: exact MIPS over an on-disk index of 100,000 random 768-d float32 vectors, ms per query
 *   at several query batch sizes.
 *
 *   node --import tsx scripts/bench_retrieval.ts     (indexes the first 128 passages; BENCH_PASSAGES=342 for all)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBackend, getBackend, setBackend } from '../src/backend.js';
import { makeConfig } from '../src/config.js';
import { TFDPRContextEncoder } from '../src/models/context_encoder.js';
import { randomWeightArrays, seededRandom } from '../src/models/random_weights.js';
import { PoolEmbedder, type Embedder, type EncodedRow } from '../src/retrieval/embedder.js';
import { DenseIndex } from '../src/retrieval/index_format.js';
import { buildIndex, type PassageInput } from '../src/retrieval/index_writer.js';
import { searchVectors } from '../src/retrieval/search.js';
import { EncoderPool } from '../src/pool/encoder_pool.js';
import { availableParallelism } from 'node:os';
import { encodeForEncoder } from '../src/retrieval/tokenize.js';
import { DPRContextEncoderTokenizer } from '../src/tokenizers/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function benchIndexBuild(limit: number | undefined): Promise<Record<string, unknown>> {
  await ensureBackend();
  const corpus = readFileSync(join(ROOT, 'data', 'sample_corpus.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PassageInput);
  const passages = limit !== undefined ? corpus.slice(0, limit) : corpus;
  const config = makeConfig({ architectures: ['DPRContextEncoder'] }); // BERT-base: 12 layers, hidden 768, 12 heads
  const workers = availableParallelism();
  const pool = await EncoderPool.create({
    kind: 'context',
    source: { config, weights: randomWeightArrays(TFDPRContextEncoder.weightSpecs(config)) },
    workers,
  });
  const vocabDir = process.env['DPR_REFERENCE_DIR'] ?? join(ROOT, '..', 'shared', 'reference');
  const tokenizer = await DPRContextEncoderTokenizer.fromPretrained(join(vocabDir, 'models', 'context_encoder_proj'));
  const embedder = new PoolEmbedder(pool);
  const out = mkdtempSync(join(tmpdir(), 'dpr-bench-index-'));
  try {
    const tokens = passages.map((p) => encodeForEncoder(tokenizer, 512, p.text, p.title).input_ids.length);
    const started = performance.now();
    await buildIndex({
      outDir: out,
      passages: stream(passages),
      embedder,
      tokenize: (p) => encodeForEncoder(tokenizer, 512, p.text, p.title),
      encoder: { model: 'random-bert-base', architecture: 'DPRContextEncoder', config_sha256: '', max_length: 512 },
      batchSize: 32,
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      workload: 'index_build',
      passages: passages.length,
      mean_tokens: +(tokens.reduce((a, b) => a + b, 0) / tokens.length).toFixed(1),
      seconds: +seconds.toFixed(2),
      passages_per_s: +(passages.length / seconds).toFixed(2),
      backend: pool.backend,
      workers,
    };
  } finally {
    await embedder.dispose();
    rmSync(out, { recursive: true, force: true });
  }
}

/** Writes 100k random vectors through the real index writer (a fake embedder, no model). */
class RandomEmbedder implements Embedder {
  private readonly random = seededRandom(5);
  constructor(readonly dim: number) {}
  async embed(rows: EncodedRow[]): Promise<Float32Array[]> {
    return rows.map(() => Float32Array.from({ length: this.dim }, () => this.random() * 2 - 1));
  }
  async dispose(): Promise<void> {}
}

async function benchSearch(vectors: number, dim: number, batches: number[]): Promise<Array<Record<string, unknown>>> {
  const backend = await ensureBackend();
  const out = mkdtempSync(join(tmpdir(), 'dpr-bench-search-'));
  const rows: Array<Record<string, unknown>> = [];
  try {
    const passages = Array.from({ length: vectors }, (_, i): PassageInput => ({ id: i, text: `passage ${i}` }));
    await buildIndex({
      outDir: out,
      passages: stream(passages),
      embedder: new RandomEmbedder(dim),
      tokenize: () => ({ input_ids: [101, 102], token_type_ids: [0, 0], attention_mask: [1, 1] }),
      encoder: { model: 'random', architecture: 'DPRContextEncoder', config_sha256: '', max_length: 512 },
      shardSize: 8192,
      batchSize: 8192,
    });
    const index = await DenseIndex.open(out);
    const random = seededRandom(9);
    try {
      for (const batch of batches) {
        const queries = Array.from({ length: batch }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
        await searchVectors(index, queries, { k: 10 }); // warm-up (page cache, kernels)
        const repeats = 3;
        const started = performance.now();
        for (let r = 0; r < repeats; r++) await searchVectors(index, queries, { k: 10 });
        const ms = (performance.now() - started) / repeats;
        rows.push({
          workload: 'search',
          vectors,
          dim,
          batch,
          k: 10,
          ms_per_batch: +ms.toFixed(1),
          ms_per_query: +(ms / batch).toFixed(2),
          backend,
        });
      }
    } finally {
      await index.close();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return rows;
}

export async function benchRetrieval(): Promise<Array<Record<string, unknown>>> {
  // The default backend (as a user gets it), whatever an earlier workload in this process chose.
  await setBackend();
  // The whole sample corpus (342 passages); BENCH_PASSAGES=N indexes only the first N.
  const limit = process.env['BENCH_PASSAGES'] !== undefined ? Number(process.env['BENCH_PASSAGES']) : undefined;
  const rows = [await benchIndexBuild(limit)];
  rows.push(...(await benchSearch(100_000, 768, [1, 16, 64])));
  return rows;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const rows = await benchRetrieval();
  console.log(`backend: ${getBackend()}`);
  console.table(rows);
}
