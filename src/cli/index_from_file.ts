/**
 * `dpr index build`'s work as a function `dpr ask` also uses for its first-use sample index: read
 * a JSONL corpus (validated and counted first, for the progress total), index it with the library's
 * `indexCorpus`, and draw the progress on a terminal's stderr.
 */
import { InputError } from '../errors.js';
import { indexCorpus, type IndexCorpusOptions } from '../retrieval/index_corpus.js';
import type { BuildIndexResult, PassageInput } from '../retrieval/index_writer.js';
import { displayName, readJsonl, toTextRecord } from './jsonl.js';
import { hubProgressReporter, ProgressBar } from './progress.js';

export interface IndexFileOptions extends Omit<IndexCorpusOptions, 'passages' | 'onProgress' | 'onDownloadProgress'> {
  /** JSONL passages, or - for stdin. */
  passagesPath: string;
  /** The progress bar's label (drawn only when stderr is a terminal). */
  label?: string;
  /** Build only shard I of N (0-based) of the corpus. */
  shardOf?: { index: number; of: number };
}

/** A first pass over a file: validates every line and counts passages (for the progress total). */
async function countPassages(path: string): Promise<number> {
  let count = 0;
  for await (const record of readJsonl(path)) {
    toTextRecord(record, path, true);
    count++;
  }
  if (count === 0)
    throw new InputError(`${displayName(path)} holds no passages; expected one {"id", "title", "text"} JSON object per line.`);
  return count;
}

async function* passages(path: string): AsyncGenerator<PassageInput> {
  for await (const record of readJsonl(path)) yield toTextRecord(record, path, true);
}

export async function indexFile(options: IndexFileOptions): Promise<BuildIndexResult> {
  const { passagesPath: path, label, ...rest } = options;
  // Stdin can be read only once: it is validated as it streams, and the total is unknown.
  const total = path === '-' ? undefined : await countPassages(path);
  const { shardOf, ...build } = rest;
  if (shardOf !== undefined && total === undefined)
    throw new InputError('a sharded build needs a passages file (its size decides the slices), not stdin.');
  const shard = shardOf !== undefined ? { ...shardOf, corpusCount: total! } : undefined;
  const bar = new ProgressBar({ label: label ?? 'indexing', total, unit: 'passages' });
  const result = await indexCorpus({
    ...build,
    ...(shard !== undefined ? { shard } : {}),
    passages: passages(path),
    onProgress: (done) => bar.update(done),
    onDownloadProgress: hubProgressReporter(),
  });
  bar.finish(result.manifest.count);
  return result;
}
