/**
 * `dpr index build --model CONTEXT_DIR --passages FILE.jsonl --out INDEX_DIR`: embeds a corpus
 * into a dense index (see src/retrieval/index_format.ts), streaming, resumable with --resume.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_SHARD_SIZE } from '../../retrieval/defaults.js';
import type { EmbeddingDtype } from '../../retrieval/index_format.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from '../args.js';
import { indexFile } from '../index_from_file.js';
import { KIND_OPTIONS, kindSettings, runDelete, runImport, runMerge, runVerify } from '../index_admin.js';
import type { FlagNames } from '../option_flags.js';

export const FLAGS: FlagNames = { model: '--model', outDir: '--out', overwrite: '--overwrite', resume: '--resume', idPrefix: '--id-prefix' };

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
    'shard-size': { type: 'integer', min: 1, default: DEFAULT_SHARD_SIZE, value: 'N', description: 'passages per checkpoint (work lost to an interruption is at most one shard)' },
    resume: { type: 'boolean', description: 'continue an interrupted build in --out (same settings and corpus)' },
    overwrite: { type: 'boolean', description: 'replace an index that already exists in --out' },
    workers: { type: 'integer', min: 1, value: 'N', description: 'encoder worker threads, one model copy each (default: number of cores; 1 runs in this thread)' },
    shard: { type: 'string', value: 'I/N', description: 'encode only the I-th (0-based) of N equal slices of the corpus, as an index of its own; join with `dpr index merge`' },
    ...KIND_OPTIONS,
  },
  epilog: 'example:\n  dpr index build --model ./context_encoder --passages data/sample_corpus.jsonl --out ./sample_index',
};

const USAGE = [
  'usage: dpr index <subcommand> [options]',
  '',
  'subcommands:',
  '  build      embed a passage corpus into a dense index',
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
  const workers = num(args, 'workers');
  const started = performance.now();
  const result = await indexFile({
    model: str(args, 'model')!,
    passagesPath: str(args, 'passages')!,
    outDir: out,
    dtype: str(args, 'dtype') as EmbeddingDtype,
    batchSize: num(args, 'batch-size')!,
    shardSize: num(args, 'shard-size')!,
    resume: flag(args, 'resume'),
    overwrite: flag(args, 'overwrite'),
    ...(workers !== undefined ? { workers } : {}),
    ...kindSettings(args),
    ...shardArg(str(args, 'shard')),
  });
  const seconds = (performance.now() - started) / 1000;
  const encoded = result.manifest.count - result.resumedFrom;
  const resumed = result.resumedFrom > 0 ? ` (resumed after ${result.resumedFrom})` : '';
  process.stdout.write(
    `indexed ${result.manifest.count} passages${resumed} into ${out}: dim ${result.manifest.dim}, ${result.manifest.dtype}, ` +
      `${seconds.toFixed(1)} s, ${(encoded / seconds).toFixed(1)} passages/s\n`,
  );
  return 0;
}

function shardArg(text: string | undefined): { shardOf?: { index: number; of: number } } {
  if (text === undefined) return {};
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null || Number(m[1]) >= Number(m[2])) throw new InputError(`--shard must be I/N with 0 ≤ I < N (e.g. 0/4), got ${JSON.stringify(text)}.`);
  return { shardOf: { index: Number(m[1]), of: Number(m[2]) } };
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'build') return build(rest);
  if (sub === 'import') return runImport(rest);
  if (sub === 'verify') return runVerify(rest);
  if (sub === 'merge') return runMerge(rest);
  if (sub === 'delete') return runDelete(rest);
  throw new InputError(`unknown subcommand "${sub}"; the index subcommands are build, import, verify, merge and delete (see \`dpr index --help\`).`);
}
