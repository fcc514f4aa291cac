/**
 * `dpr index build --model CONTEXT_DIR --passages FILE.jsonl --out INDEX_DIR`: embeds a corpus
 * into a dense index (see src/retrieval/index_format.ts), streaming, resumable with --resume.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_SHARD_SIZE } from '../../retrieval/defaults.js';
import { buildBm25ForIndex, saveBm25Index } from '../../retrieval/bm25_files.js';
import { PYSERINI_BM25_PARAMS, type Bm25Params } from '../../retrieval/bm25_index.js';
import { DenseIndex, type EmbeddingDtype } from '../../retrieval/index_format.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from '../args.js';
import { indexFile } from '../index_from_file.js';
import { KIND_OPTIONS, kindSettings, runDelete, runImport, runMerge, runVerify } from '../index_admin.js';
import type { FlagNames } from '../option_flags.js';
import { workersOption } from '../workers.js';

export const FLAGS: FlagNames = {
  model: '--model',
  outDir: '--out',
  overwrite: '--overwrite',
  resume: '--resume',
  k1: '--k1',
  b: '--b',
  idPrefix: '--id-prefix',
};

export const BUILD_SPEC: CommandSpec = {
  name: 'dpr index build',
  summary: 'Embed a passage corpus with a DPR context encoder into a dense index directory.',
  usage: '--model CONTEXT_DIR --passages FILE.jsonl --out INDEX_DIR [options]',
  options: {
    model: { type: 'string', required: true, value: 'DIR', description: 'a DPR context encoder (DPRContextEncoder)' },
    passages: { type: 'string', required: true, value: 'FILE', description: 'JSONL, one {"id", "title"?, "text"} per line; - reads stdin' },
    out: { type: 'string', required: true, value: 'DIR', description: 'the index directory to write' },
    dtype: { type: 'string', choices: ['float32', 'float16'], default: 'float32', description: 'how embeddings are stored' },
    'batch-size': { type: 'integer', min: 1, default: DEFAULT_BATCH_SIZE, value: 'N', description: 'passages per model call' },
    'shard-size': {
      type: 'integer',
      min: 1,
      default: DEFAULT_SHARD_SIZE,
      value: 'N',
      description: 'passages per checkpoint (work lost to an interruption is at most one shard)',
    },
    resume: { type: 'boolean', description: 'continue an interrupted build in --out (same settings and corpus)' },
    overwrite: { type: 'boolean', description: 'replace an index that already exists in --out' },
    workers: {
      type: 'integer',
      min: 1,
      value: 'N',
      description: 'encoder worker threads, one model copy each (default: number of cores; 1 runs in this thread)',
    },
    bm25: { type: 'boolean', description: 'also write the BM25 index used by --hybrid (as `dpr index bm25` does)' },
    shard: {
      type: 'string',
      value: 'I/N',
      description: 'encode only the I-th (0-based) of N equal slices of the corpus, as an index of its own; join with `dpr index merge`',
    },
    ...KIND_OPTIONS,
  },
  epilog: 'example:\n  dpr index build --model ./context_encoder --passages data/sample_corpus.jsonl --out ./sample_index',
};

export const BM25_SPEC: CommandSpec = {
  name: 'dpr index bm25',
  summary: 'Write the BM25 index (bm25.bin) of the passages stored in a dense index, for --hybrid search.',
  usage: '--index INDEX_DIR [--k1 0.9] [--b 0.4]',
  options: {
    index: { type: 'string', required: true, value: 'DIR', description: 'an index built by `dpr index build`' },
    k1: {
      type: 'number',
      min: 0,
      default: PYSERINI_BM25_PARAMS.k1,
      value: 'K1',
      description: "BM25 term-frequency saturation (Pyserini's DPR setting)",
    },
    b: {
      type: 'number',
      min: 0,
      default: PYSERINI_BM25_PARAMS.b,
      value: 'B',
      description: "BM25 length normalisation, 0..1 (Pyserini's DPR setting)",
    },
  },
  epilog: 'example:\n  dpr index bm25 --index ./sample_index',
};

const USAGE = [
  'usage: dpr index <subcommand> [options]',
  '',
  'subcommands:',
  '  build      embed a passage corpus into a dense index',
  "  bm25       write the BM25 index of an index's passages (for --hybrid)",
  '  import     make an index from embeddings computed elsewhere (DPR shards, JSONL, .npy)',
  '  verify     check every file of an index against its recorded checksums',
  '  merge      join the shards of a sharded build into one index',
  '  delete     delete passages by id',
  '',
  'Run `dpr index SUBCOMMAND --help` for its options.',
].join('\n');

async function build(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(BUILD_SPEC, argv);
  if (args === undefined) return 0;
  const out = str(args, 'out')!;
  const workers = workersOption(args, 'dpr index build');
  const started = performance.now();
  // Ctrl-C (or a kill) stops the build at once; what is checkpointed is kept, and the user is told how to go on.
  const onSignal = (signal: NodeJS.Signals) => {
    const again = flag(args, 'resume') ? 'run the same command again' : 'run the same command with --resume';
    process.stderr.write(
      `\ndpr index build: interrupted (${signal}); the passages done so far are kept: ${again} to continue the build in ${out}.\n`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const result = await indexFile({
    model: str(args, 'model')!,
    passagesPath: str(args, 'passages')!,
    outDir: out,
    dtype: str(args, 'dtype') as EmbeddingDtype,
    batchSize: num(args, 'batch-size')!,
    shardSize: num(args, 'shard-size')!,
    resume: flag(args, 'resume'),
    overwrite: flag(args, 'overwrite'),
    ...workers,
    ...kindSettings(args),
    ...shardArg(str(args, 'shard')),
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  const seconds = (performance.now() - started) / 1000;
  const encoded = result.manifest.count - result.resumedFrom;
  const resumed = result.resumedFrom > 0 ? ` (resumed after ${result.resumedFrom})` : '';
  process.stdout.write(
    `indexed ${result.manifest.count} passages${resumed} into ${out}: dim ${result.manifest.dim}, ${result.manifest.dtype}, ` +
      `${seconds.toFixed(1)} s, ${(encoded / seconds).toFixed(1)} passages/s\n`,
  );
  if (flag(args, 'bm25')) await writeBm25(out, PYSERINI_BM25_PARAMS);
  return 0;
}

async function writeBm25(indexDir: string, params: Bm25Params): Promise<void> {
  const started = performance.now();
  const index = await DenseIndex.open(indexDir);
  try {
    const path = await saveBm25Index(indexDir, await buildBm25ForIndex(index, params));
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `wrote the BM25 index of ${index.count} passages to ${path} (k1 ${params.k1}, b ${params.b}), ${seconds.toFixed(1)} s\n`,
    );
  } finally {
    await index.close();
  }
}

async function bm25(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(BM25_SPEC, argv);
  if (args === undefined) return 0;
  await writeBm25(str(args, 'index')!, { k1: num(args, 'k1')!, b: num(args, 'b')! });
  return 0;
}

function shardArg(text: string | undefined): { shardOf?: { index: number; of: number } } {
  if (text === undefined) return {};
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null || Number(m[1]) >= Number(m[2]))
    throw new InputError(`--shard must be I/N with 0 ≤ I < N (e.g. 0/4), got ${JSON.stringify(text)}.`);
  return { shardOf: { index: Number(m[1]), of: Number(m[2]) } };
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'build') return build(rest);
  if (sub === 'bm25') return bm25(rest);
  if (sub === 'import') return runImport(rest);
  if (sub === 'verify') return runVerify(rest);
  if (sub === 'merge') return runMerge(rest);
  if (sub === 'delete') return runDelete(rest);
  throw new InputError(
    `unknown subcommand "${sub}"; the index subcommands are build, bm25, import, verify, merge and delete (see \`dpr index --help\`).`,
  );
}
