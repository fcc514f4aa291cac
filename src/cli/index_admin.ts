/**
 * `dpr index import` (an index from embeddings computed elsewhere, e.g. DPR's published shards)
 * and `dpr index verify` (every file against the checksums recorded when it was written).
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { DEFAULT_HNSW, type GraphMetric, type GraphStorage } from '../retrieval/hnsw_graph.js';
import type { EmbeddingDtype } from '../retrieval/index_format.js';
import { importIndex } from '../retrieval/index_import.js';
import type { IndexKind } from '../retrieval/index_manifest.js';
import { mergeIndexes } from '../retrieval/index_merge.js';
import { verifyIndex } from '../retrieval/index_verify.js';
import { LocalIndex } from '../retrieval/local_index.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from './args.js';
import { ProgressBar } from './progress.js';

export const KIND_OPTIONS = {
  kind: {
    type: 'string',
    choices: ['flat', 'hnsw'],
    default: 'flat',
    description: 'flat: exact search (reads every vector); hnsw: approximate graph + exact re-ranking',
  },
  'hnsw-metric': {
    type: 'string',
    choices: ['cos', 'ip'],
    default: DEFAULT_HNSW.metric,
    description: 'hnsw: how the graph links vectors (see README "Index kinds")',
  },
  'hnsw-storage': {
    type: 'string',
    choices: ['i8', 'f16', 'f32'],
    default: DEFAULT_HNSW.storage,
    description: 'hnsw: how the graph stores its copy of the vectors (i8 requires cos)',
  },
  'hnsw-m': { type: 'integer', min: 2, default: DEFAULT_HNSW.connectivity, value: 'M', description: 'hnsw: links per node' },
  'hnsw-ef-add': {
    type: 'integer',
    min: 2,
    default: DEFAULT_HNSW.expansion_add,
    value: 'N',
    description: 'hnsw: search breadth while building',
  },
} as const satisfies CommandSpec['options'];

export function kindSettings(args: Parameters<typeof str>[0]): {
  kind: IndexKind;
  hnsw: { metric: GraphMetric; storage: GraphStorage; connectivity: number; expansion_add: number };
} {
  return {
    kind: str(args, 'kind') as IndexKind,
    hnsw: {
      metric: str(args, 'hnsw-metric') as GraphMetric,
      storage: str(args, 'hnsw-storage') as GraphStorage,
      connectivity: num(args, 'hnsw-m')!,
      expansion_add: num(args, 'hnsw-ef-add')!,
    },
  };
}

export const IMPORT_SPEC: CommandSpec = {
  name: 'dpr index import',
  summary: 'Make an index from embeddings computed elsewhere (DPR shards, dpr encode JSONL, .npy + ids) and their passages.',
  usage: '--embeddings FILE_OR_GLOB [FILE …] --passages psgs.tsv|passages.jsonl --out INDEX_DIR [--kind flat|hnsw]',
  positionals: { name: 'FILE …', description: 'more embedding files (after --embeddings)' },
  options: {
    embeddings: {
      type: 'string',
      required: true,
      value: 'FILE',
      description:
        "DPR embedding shards (pickles), .jsonl ({id, vector}) or .npy (+ NAME.ids.txt); a quoted glob like 'wikipedia_passages_*' is expanded",
    },
    passages: {
      type: 'string',
      required: true,
      value: 'FILE',
      description: "DPR's psgs_w100.tsv (id, text, title) or JSONL {id, title, text}",
    },
    out: { type: 'string', required: true, value: 'DIR', description: 'the index directory to write' },
    dtype: {
      type: 'string',
      choices: ['float32', 'float16'],
      default: 'float32',
      description: 'how embeddings are stored (re-ranking reads them)',
    },
    'id-prefix': {
      type: 'string',
      value: 'TEXT',
      description: 'removed from each embedding id before lookup (DPR\'s newer shards write "wiki:123")',
    },
    overwrite: { type: 'boolean', description: 'replace an index that already exists in --out' },
    ...KIND_OPTIONS,
  },
  epilog: 'example:\n  dpr index import --embeddings "downloads/wikipedia_passages_*" --passages psgs_w100.tsv --out ./wiki --kind hnsw',
};

export const VERIFY_SPEC: CommandSpec = {
  name: 'dpr index verify',
  summary: 'Check every file of an index against the checksums recorded when it was written.',
  usage: 'INDEX_DIR',
  positionals: { name: 'INDEX_DIR', description: 'the index to check', min: 1 },
  options: {},
};

/** Expands `*` and `?` in the last path component; results in natural order (shard_2 before shard_10). */
export function expandGlob(pattern: string): string[] {
  const name = basename(pattern);
  if (!/[*?]/.test(name)) return [pattern];
  const dir = dirname(pattern);
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    throw new InputError(`cannot list ${dir} to expand ${pattern}.`);
  }
  const matches = entries.filter((e) => re.test(e)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (matches.length === 0) throw new InputError(`no file matches ${pattern}.`);
  return matches.map((m) => join(dir, m));
}

export async function runImport(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(IMPORT_SPEC, argv);
  if (args === undefined) return 0;
  const embeddings = [str(args, 'embeddings')!, ...args.positionals].flatMap(expandGlob);
  const out = str(args, 'out')!;
  const started = performance.now();
  let bar: ProgressBar | undefined;
  let stage = '';
  const idPrefix = str(args, 'id-prefix');
  const manifest = await importIndex({
    embeddings,
    passages: str(args, 'passages')!,
    outDir: out,
    dtype: str(args, 'dtype') as EmbeddingDtype,
    overwrite: flag(args, 'overwrite'),
    ...(idPrefix !== undefined ? { idPrefix } : {}),
    ...kindSettings(args),
    onProgress: (next, done) => {
      if (next !== stage) {
        bar?.finish(undefined);
        stage = next;
        bar = new ProgressBar({
          label: next === 'passages' ? 'reading passages' : next === 'graph' ? 'building graph' : 'importing',
          total: undefined,
          unit: next === 'graph' ? 'vectors' : 'passages',
        });
      }
      bar!.update(done);
    },
  });
  bar?.finish(undefined);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `imported ${manifest.count} passages into ${out}: kind ${manifest.kind}, dim ${manifest.dim}, ${manifest.dtype}, ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}

export async function runVerify(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(VERIFY_SPEC, argv);
  if (args === undefined) return 0;
  if (args.positionals.length !== 1) throw new InputError('give one index directory: dpr index verify INDEX_DIR.');
  const dir = args.positionals[0]!;
  const report = await verifyIndex(dir);
  for (const f of report.files) {
    const line = f.problems.length === 0 ? `ok       ${f.file} (${f.bytes} bytes)` : `DAMAGED  ${f.file}: ${f.problems.join('; ')}`;
    process.stdout.write(line + '\n');
  }
  process.stdout.write(report.ok ? `${dir}: every file matches its checksum\n` : `${dir}: damaged; rebuild or re-import the index\n`);
  return report.ok ? 0 : 1;
}

export const MERGE_SPEC: CommandSpec = {
  name: 'dpr index merge',
  summary: 'Join the shards of a sharded build (dpr index build --shard I/N) into one index.',
  usage: 'SHARD_DIR … --out INDEX_DIR [--kind flat|hnsw]',
  positionals: { name: 'SHARD_DIR …', description: 'every shard of one build, in any order', min: 1 },
  options: {
    out: { type: 'string', required: true, value: 'DIR', description: 'the index directory to write' },
    overwrite: { type: 'boolean', description: 'replace an index that already exists in --out' },
    ...KIND_OPTIONS,
  },
};

export async function runMerge(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(MERGE_SPEC, argv);
  if (args === undefined) return 0;
  const out = str(args, 'out')!;
  const manifest = await mergeIndexes({ shards: args.positionals, outDir: out, overwrite: flag(args, 'overwrite'), ...kindSettings(args) });
  process.stdout.write(`merged ${args.positionals.length} shards into ${out}: ${manifest.count} passages, kind ${manifest.kind}\n`);
  return 0;
}

export const DELETE_SPEC: CommandSpec = {
  name: 'dpr index delete',
  summary: 'Delete passages from an index by id (searches never return them again).',
  usage: '--index INDEX_DIR ID …',
  positionals: { name: 'ID …', description: 'passage ids to delete', min: 1 },
  options: { index: { type: 'string', required: true, value: 'DIR', description: 'the index to change' } },
};

export async function runDelete(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(DELETE_SPEC, argv);
  if (args === undefined) return 0;
  if (args.positionals.length === 0) throw new InputError('give the ids to delete: dpr index delete --index DIR ID ….');
  const index = await LocalIndex.open(str(args, 'index')!);
  try {
    const deleted = await index.delete(args.positionals);
    process.stdout.write(`deleted ${deleted} of ${args.positionals.length} ids; ${await index.count()} passages remain\n`);
  } finally {
    await index.close();
  }
  return 0;
}
