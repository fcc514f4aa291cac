/**
 * `npm run bench` — prints a table of every workload (or, with --json, one JSON line each).
 *
 *   npm run bench                          all workloads
 *   npm run bench -- --only passages-128   one workload (passages-128, passages-256, question-32,
 *                                          tokenizer, convert, retrieval, train, eval, serve, index-scale; comma-separated)
 *   npm run bench -- --only index-scale --count 100000   index kinds at 100k vectors (default 1M)
 *   npm run bench -- --json                JSON lines
 *   npm run bench -- --workers 2           pool size for the multi-worker rows (default: cores)
 *   npm run bench -- --cpu                 also measure the (slow) cpu backend, at batch 1
 *   npm run bench -- --only soak           pool + in-process encoder for 10 minutes: tensors and RSS at
 *                                          start and end (--minutes N for a shorter run; not in the default set)
 *   npm run bench -- --only serve --minutes 1 --seconds 10
 *                                          serve: soak length (default 5 min), seconds per concurrency level (default 15)
 */
import { availableParallelism } from 'node:os';
import { benchConvert } from './bench_convert.js';
import { benchEval } from './bench_eval.js';
import { benchPassages, benchQuestion, type BenchRow } from './bench_model.js';
import { benchIndexScale } from './bench_index_scale.js';
import { benchRetrieval } from './bench_retrieval.js';
import { benchSoak } from './bench_soak.js';
import { benchServe } from './bench_serve.js';
import { benchTokenizer } from './bench_tokenizer.js';
import { benchTrain } from './bench_train.js';

interface Args {
  json: boolean;
  only?: string[];
  workers: number;
  cpu: boolean;
  /** Soak length; each workload has its own default (soak 10, serve 5). */
  minutes?: number;
  seconds: number;
  /** index-scale: vectors to index (default 1,000,000). */
  count?: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { json: false, workers: availableParallelism(), cpu: false, seconds: 15 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--cpu') args.cpu = true;
    else if (a === '--only') args.only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--workers') args.workers = Number(argv[++i]);
    else if (a === '--minutes') args.minutes = Number(argv[++i]);
    else if (a === '--seconds') args.seconds = Number(argv[++i]);
    else if (a === '--count') args.count = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; see the header of scripts/bench.ts`);
  }
  if (!Number.isInteger(args.workers) || args.workers < 1) throw new Error('--workers must be a positive integer');
  if (args.minutes !== undefined && !(args.minutes >= 0)) throw new Error('--minutes must be a number >= 0');
  if (!(args.seconds > 0)) throw new Error('--seconds must be a positive number');
  return args;
}

type Workload = { name: string; run: (args: Args) => Promise<BenchRow[]> };

/**
 * The baseline (tfjs's own wasm kernels, one thread) next to what tfjs-dpr does by default: the
 * worker pool, and the native GEMM when it is built. Rows whose kernel is missing are left out.
 */
async function passages(seq: number, args: Args): Promise<BenchRow[]> {
  const n = args.workers;
  const runs: Array<Parameters<typeof benchPassages>[0]> = [
    { backend: 'wasm', matmul: 'tfjs', workers: 1, batch: 32, seq },
    ...(n > 1 && seq === 128 ? [{ backend: 'wasm' as const, matmul: 'tfjs' as const, workers: n, batch: 32, seq }] : []),
    { backend: 'wasm', matmul: 'native', workers: 1, batch: 32, seq },
    ...(n > 1 ? [{ backend: 'wasm' as const, matmul: 'native' as const, workers: n, batch: 32, seq }] : []),
    ...(args.cpu ? [{ backend: 'cpu' as const, matmul: 'tfjs' as const, workers: 1, batch: 1, seq, budgetMs: 1 }] : []),
  ];
  const rows: BenchRow[] = [];
  for (const run of runs) {
    const row = await benchPassages({ budgetMs: 45_000, ...run });
    if (row !== undefined) rows.push(row);
  }
  return rows;
}

const WORKLOADS: Workload[] = [
  { name: 'passages-128', run: (a) => passages(128, a) },
  { name: 'passages-256', run: (a) => passages(256, a) },
  {
    name: 'question-32',
    run: async (a) => {
      const rows = [await benchQuestion('wasm', 'tfjs', 32), await benchQuestion('wasm', 'native', 32)];
      if (a.cpu) rows.push(await benchQuestion('cpu', 'tfjs', 32));
      return rows.filter((r): r is BenchRow => r !== undefined);
    },
  },
  { name: 'tokenizer', run: () => benchTokenizer() as Promise<BenchRow[]> },
  { name: 'convert', run: () => benchConvert() as Promise<BenchRow[]> },
  { name: 'retrieval', run: () => benchRetrieval() as Promise<BenchRow[]> },
  {
    // One DPR update on a BERT-base pair; the cpu backend holds the 2 × 110M parameters, their
    // gradients and Adam's moments (~3.5 GB) in ordinary memory, wasm in its 4 GB heap.
    name: 'train',
    run: async () => {
      const rows = [await benchTrain('cpu', 'native'), await benchTrain('wasm', 'native')];
      return rows.filter((r): r is BenchRow => r !== undefined);
    },
  },
  { name: 'eval', run: () => benchEval() as Promise<BenchRow[]> },
  { name: 'soak', run: (a) => benchSoak(a.minutes ?? 10, a.workers) },
  { name: 'serve', run: (a) => benchServe({ minutes: a.minutes ?? 5, seconds: a.seconds }) },
  { name: 'index-scale', run: (a) => benchIndexScale(a.count) },
];
/** Workloads run only when named with --only (too long for the default set). */
const ON_REQUEST = new Set(['soak']);

function printTable(rows: BenchRow[]): void {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => columns.map((c) => (r[c] === undefined ? '' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => '| ' + values.map((v, i) => v.padEnd(widths[i]!)).join(' | ') + ' |';
  console.log(line(columns));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const row of cells) console.log(line(row));
}

const args = parseArgs(process.argv.slice(2));
const selected = args.only ? WORKLOADS.filter((w) => args.only!.includes(w.name)) : WORKLOADS.filter((w) => !ON_REQUEST.has(w.name));
if (args.only && selected.length !== args.only.length) {
  throw new Error(`unknown workload in --only; choose from ${WORKLOADS.map((w) => w.name).join(', ')}`);
}
// Each workload prints as soon as it is done: one table per kind of row (each shows only its own
// columns), or one JSON line per row.
for (const workload of selected) {
  const rows = await workload.run(args);
  if (args.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    continue;
  }
  for (const kind of new Set(rows.map((r) => String(r['workload'])))) {
    printTable(rows.filter((r) => String(r['workload']) === kind));
    console.log('');
  }
}
process.exit(0);
