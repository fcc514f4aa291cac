/**
 * `dpr serve` under load: a BERT-base-sized random question encoder (12 layers, hidden 768) over
 * an index of the sample corpus (342 passages; its vectors are random 768-d, as the encoder is
 * random too), served by a spawned `dpr serve` on 127.0.0.1. A bounded load loop of our own (not
 * autocannon: a few lines on node:http keep-alive, no extra dependency, and every answer's status
 * is checked) sends POST /search {question, k: 10} at concurrency 1, 8 and 32 and reports
 * requests/s and p50 / p99 latency; then a soak at concurrency 8 for `--minutes` reports the
 * server's RSS before and after.
 *
 *   npm run bench -- --only serve [--minutes 5] [--seconds 15]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSafetensors } from '../src/io/safetensors.js';
import { TFDPRQuestionEncoder } from '../src/models/question_encoder.js';
import { randomWeightArrays, seededRandom } from '../src/models/random_weights.js';
import type { Embedder, EncodedRow } from '../src/retrieval/embedder.js';
import { buildIndex, type PassageInput } from '../src/retrieval/index_writer.js';
import { BERT_BASE, type BenchRow } from './bench_model.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = process.env['DPR_REFERENCE_DIR'] ?? join(ROOT, '..', 'shared', 'reference');
const QUESTIONS = [
  'who discovered penicillin?',
  'what is the capital of france?',
  'how tall is mount everest?',
  'which planet has the great red spot?',
];

/** A BERT-base DPRQuestionEncoder directory with random weights and the reference vocabulary. */
function writeQuestionEncoder(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const config = { ...BERT_BASE, architectures: ['DPRQuestionEncoder'], model_type: 'dpr' };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const vocabFrom = join(REFERENCE, 'models', 'question_encoder');
  for (const file of ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'])
    copyFileSync(join(vocabFrom, file), join(dir, file));
  const specs = TFDPRQuestionEncoder.weightSpecs(BERT_BASE);
  const weights = randomWeightArrays(specs);
  writeSafetensors(
    join(dir, 'model.safetensors'),
    specs.map((s) => ({
      name: s.name,
      dtype: 'F32' as const,
      shape: [...s.shape],
      data: () => new Uint8Array(weights.get(s.name)!.buffer),
    })),
  );
}

/** The sample corpus with random 768-d vectors, through the real index writer. */
async function writeIndex(dir: string): Promise<void> {
  const random = seededRandom(3);
  const embedder: Embedder = {
    dim: 768,
    embed: async (rows: EncodedRow[]) => rows.map(() => Float32Array.from({ length: 768 }, () => random() * 2 - 1)),
    dispose: async () => {},
  };
  const corpus = readFileSync(join(ROOT, 'data', 'sample_corpus.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PassageInput);
  await buildIndex({
    outDir: dir,
    passages: (async function* () {
      yield* corpus;
    })(),
    embedder,
    tokenize: () => ({ input_ids: [101, 102], token_type_ids: [0, 0], attention_mask: [1, 1] }),
    encoder: { model: 'random', architecture: 'DPRContextEncoder', config_sha256: '', max_length: 512 },
  });
}

function startServer(index: string, model: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'serve', '--port', '0', '--index', index, '--question-model', model],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const ready = /ready on (http:\/\/\S+)/.exec(out);
      if (ready) resolve({ child, url: ready[1]! });
    });
    child.on('exit', (code) => reject(new Error(`dpr serve exited (${code}) before it was ready`)));
  });
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `concurrency` clients send /search back to back for `seconds`; latencies in ms, sorted. */
async function load(url: string, concurrency: number, seconds: number): Promise<{ latencies: number[]; seconds: number; errors: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL('/search', url);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const body = JSON.stringify({ question: QUESTIONS[(client + i) % QUESTIONS.length], k: 10 });
        const t0 = performance.now();
        const status = await post(agent, target, body);
        if (status === 200) latencies.push(performance.now() - t0);
        else errors++;
      }
    }),
  );
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000, errors };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

export async function benchServe(options: { minutes: number; seconds: number }): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-bench-serve-'));
  const rows: BenchRow[] = [];
  let child: ChildProcess | undefined;
  try {
    writeQuestionEncoder(join(dir, 'question_encoder'));
    await writeIndex(join(dir, 'index'));
    const server = await startServer(join(dir, 'index'), join(dir, 'question_encoder'));
    child = server.child;
    await load(server.url, 1, 3); // warm-up
    for (const concurrency of [1, 8, 32]) {
      const { latencies, seconds, errors } = await load(server.url, concurrency, options.seconds);
      rows.push({
        workload: 'serve_search',
        concurrency,
        requests: latencies.length,
        errors,
        requests_per_s: +(latencies.length / seconds).toFixed(2),
        p50_ms: +quantile(latencies, 0.5).toFixed(1),
        p99_ms: +quantile(latencies, 0.99).toFixed(1),
      });
    }
    const before = rssMiB(child.pid!);
    const soak = await load(server.url, 8, options.minutes * 60);
    const after = rssMiB(child.pid!);
    rows.push({
      workload: 'serve_soak',
      concurrency: 8,
      minutes: options.minutes,
      requests: soak.latencies.length,
      errors: soak.errors,
      rss_before_mib: +before.toFixed(1),
      rss_after_mib: +after.toFixed(1),
      rss_growth_pct: +((100 * (after - before)) / before).toFixed(1),
    });
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
