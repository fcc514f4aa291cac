/**
 * `dpr index build --model CONTEXT_DIR --passages FILE.jsonl --out INDEX_DIR`: embeds a corpus
 * into a dense index (see src/retrieval/index_format.ts), streaming, resumable with --resume.
 */
import { InputError } from '../../errors.js';
import { loadEncoder } from '../../retrieval/encoders.js';
import type { EmbeddingDtype } from '../../retrieval/index_format.js';
import { buildIndex, type BuildIndexResult, type PassageInput } from '../../retrieval/index_writer.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from '../args.js';
import { displayName, readJsonl, toTextRecord } from '../jsonl.js';
import { ProgressBar } from '../progress.js';

export const BUILD_SPEC: CommandSpec = {
  name: 'dpr index build',
  summary: 'Embed a passage corpus with a DPR context encoder into a dense index directory.',
  usage: '--model CONTEXT_DIR --passages FILE.jsonl --out INDEX_DIR [options]',
  options: {
    model: { type: 'string', required: true, value: 'DIR', description: 'a DPR context encoder (DPRContextEncoder)' },
    passages: { type: 'string', required: true, value: 'FILE', description: 'JSONL, one {"id", "title"?, "text"} per line; - reads stdin' },
    out: { type: 'string', required: true, value: 'DIR', description: 'the index directory to write' },
    dtype: { type: 'string', choices: ['float32', 'float16'], default: 'float32', description: 'how embeddings are stored' },
    'batch-size': { type: 'integer', min: 1, default: 32, value: 'N', description: 'passages per model call' },
    'shard-size': { type: 'integer', min: 1, default: 1024, value: 'N', description: 'passages per checkpoint (work lost to an interruption is at most one shard)' },
    resume: { type: 'boolean', description: 'continue an interrupted build in --out (same settings and corpus)' },
    overwrite: { type: 'boolean', description: 'replace an index that already exists in --out' },
    workers: { type: 'integer', min: 1, value: 'N', description: 'encoder worker threads, one model copy each (default: number of cores; 1 runs in this thread)' },
  },
  epilog: 'example:\n  dpr index build --model ./context_encoder --passages data/sample_corpus.jsonl --out ./sample_index',
};

const USAGE = [
  'usage: dpr index <subcommand> [options]',
  '',
  'subcommands:',
  '  build      embed a passage corpus into a dense index',
  '',
  'Run `dpr index build --help` for its options.',
].join('\n');

/** A first pass over a file: validates every line and counts passages (for the progress total). */
async function countPassages(path: string): Promise<number> {
  let count = 0;
  for await (const record of readJsonl(path)) {
    toTextRecord(record, path, true);
    count++;
  }
  if (count === 0) throw new InputError(`${displayName(path)} holds no passages; expected one {"id", "title", "text"} JSON object per line.`);
  return count;
}

async function* passages(path: string): AsyncGenerator<PassageInput> {
  for await (const record of readJsonl(path)) yield toTextRecord(record, path, true);
}

async function build(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(BUILD_SPEC, argv);
  if (args === undefined) return 0;
  const out = str(args, 'out')!;
  const workers = num(args, 'workers');
  const started = performance.now();
  const result = await buildIndexFromFile({
    model: str(args, 'model')!,
    passagesPath: str(args, 'passages')!,
    outDir: out,
    dtype: str(args, 'dtype') as EmbeddingDtype,
    batchSize: num(args, 'batch-size')!,
    shardSize: num(args, 'shard-size')!,
    resume: flag(args, 'resume'),
    overwrite: flag(args, 'overwrite'),
    ...(workers !== undefined ? { workers } : {}),
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

export interface BuildFromFileOptions {
  /** A context encoder directory or hub id. */
  model: string;
  /** JSONL passages, or - for stdin. */
  passagesPath: string;
  outDir: string;
  dtype?: EmbeddingDtype;
  batchSize?: number;
  shardSize?: number;
  resume?: boolean;
  overwrite?: boolean;
  workers?: number;
  /** The progress bar's label (drawn only when stderr is a terminal). */
  label?: string;
}

/** `dpr index build` as a function: validates and counts the corpus, then builds with a progress bar. */
export async function buildIndexFromFile(options: BuildFromFileOptions): Promise<BuildIndexResult> {
  const path = options.passagesPath;
  // Stdin can be read only once: it is validated as it streams, and the total is unknown.
  const total = path === '-' ? undefined : await countPassages(path);
  const encoder = await loadEncoder(options.model, ['DPRContextEncoder'], options.workers !== undefined ? { workers: options.workers } : {});
  const bar = new ProgressBar({ label: options.label ?? 'indexing', total, unit: 'passages' });
  try {
    const result = await buildIndex({
      outDir: options.outDir,
      passages: passages(path),
      embedder: encoder.embedder,
      tokenize: (p) => encoder.tokenize(p.text, p.title),
      encoder: {
        model: encoder.model,
        architecture: 'DPRContextEncoder',
        config_sha256: encoder.configSha256,
        max_length: encoder.maxLength,
        ...(encoder.embedder.kernels !== undefined ? { kernels: encoder.embedder.kernels } : {}),
      },
      dtype: options.dtype ?? 'float32',
      batchSize: options.batchSize ?? 32,
      shardSize: options.shardSize ?? 1024,
      resume: options.resume === true,
      overwrite: options.overwrite === true,
      onProgress: (done) => bar.update(done),
    });
    bar.finish(result.manifest.count);
    return result;
  } finally {
    await encoder.dispose();
  }
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'build') return build(rest);
  throw new InputError(`unknown subcommand "${sub}"; the index subcommand is \`dpr index build\` (see \`dpr index --help\`).`);
}
