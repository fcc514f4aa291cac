/**
 * Joins embedding files with a passages file into the rows of an index: for each embedding, in
 * the order of the files given, the passage with its id. DPR publishes the two separately (50
 * embedding shards and psgs_w100.tsv), and a shard set may cover only part of the passages.
 *
 * The passages file is scanned once to map each id to its record's byte range (about 100 bytes
 * of memory per passage: ~2 GB for Wikipedia's 21M); each passage is then read again by offset
 * as its embedding arrives, so the corpus text is never held in memory. Every embedding is
 * checked (one dimension, finite values), and an id missing from the passages, an id embedded
 * twice or a passage id that appears twice is an InputError naming file and record.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { EmbeddingChecker, readEmbeddings, type EmbeddingRecord, type ReadEmbeddingsOptions } from './embedding_files.js';
import { parsePassageRecord, passageFormat, readPassages, readTsvLayout, type TsvLayout } from './passage_files.js';

export interface ImportRow {
  id: string;
  title: string;
  text: string;
  vector: Float32Array;
}

export interface JoinOptions extends ReadEmbeddingsOptions {
  /** Embedding files, read in this order (the rows of the index follow it). */
  embeddings: readonly string[];
  passages: string;
  /** Removed from the front of each embedding id before lookup (DPR's newer scripts write "wiki:123"). */
  idPrefix?: string;
  /** Called with the number of passages scanned, then the number of rows joined. */
  onProgress?(stage: 'passages' | 'embeddings', done: number): void;
}

/** The byte ranges of the passages by id; each may be taken once. */
class PassageRanges {
  private readonly ordinal = new Map<string, number>();
  private starts: Float64Array = new Float64Array(1024);
  private ends: Float64Array = new Float64Array(1024);
  private readonly taken: Uint8Array[] = [];
  private size = 0;

  add(id: string, start: number, end: number, where: string): void {
    if (this.ordinal.has(id))
      throw new InputError(`${where}: passage id ${JSON.stringify(id)} appears twice in the passages file; ids must be unique.`);
    if (this.size === this.starts.length) {
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.starts[this.size] = start;
    this.ends[this.size] = end;
    this.ordinal.set(id, this.size++);
  }

  get count(): number {
    return this.size;
  }

  /** The range of `id`, or 'missing' / 'taken' (an embedding already used it). */
  take(id: string): { start: number; end: number } | 'missing' | 'taken' {
    const i = this.ordinal.get(id);
    if (i === undefined) return 'missing';
    const page = (this.taken[i >> 16] ??= new Uint8Array(1 << 16));
    if (page[i & 0xffff] === 1) return 'taken';
    page[i & 0xffff] = 1;
    return { start: this.starts[i]!, end: this.ends[i]! };
  }
}

async function scanPassages(options: JoinOptions): Promise<PassageRanges> {
  const ranges = new PassageRanges();
  for await (const p of readPassages(options.passages)) {
    ranges.add(p.id, p.start, p.end, p.where);
    if (ranges.count % 100_000 === 0) options.onProgress?.('passages', ranges.count);
  }
  if (ranges.count === 0) throw new InputError(`${options.passages} holds no passages.`);
  options.onProgress?.('passages', ranges.count);
  return ranges;
}

async function readRecord(file: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(end - start);
  const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
  if (bytesRead !== bytes.length) throw new InputError('the passages file changed while it was being imported; import again.');
  return bytes;
}

export async function* joinEmbeddingsWithPassages(options: JoinOptions): AsyncGenerator<ImportRow> {
  if (options.embeddings.length === 0)
    throw new InputError('no embedding files were given; pass at least one DPR shard, .jsonl or .npy file.');
  const layout: TsvLayout | undefined = passageFormat(options.passages) === 'tsv' ? await readTsvLayout(options.passages) : undefined;
  const ranges = await scanPassages(options);
  const checker = new EmbeddingChecker(false);
  const file = await open(options.passages, 'r');
  let done = 0;
  try {
    for (const path of options.embeddings) {
      for await (const record of readEmbeddings(path, options)) {
        checker.check(record);
        const id = stripPrefix(record, options.idPrefix);
        const range = ranges.take(id);
        if (range === 'missing') {
          throw new InputError(
            `${record.where}: passage id ${JSON.stringify(id)} is not in ${options.passages}; give the passages file these embeddings were computed from${options.idPrefix === undefined ? ' (or the prefix its ids carry, e.g. "wiki:", as idPrefix)' : ''}.`,
          );
        }
        if (range === 'taken')
          throw new InputError(
            `${record.where}: id ${JSON.stringify(id)} was embedded before, in this or an earlier file; each passage must be embedded once.`,
          );
        const passage = parsePassageRecord(
          await readRecord(file, range.start, range.end),
          layout,
          `${options.passages} (passage ${JSON.stringify(id)})`,
        );
        yield { id: passage.id, title: passage.title, text: passage.text, vector: record.vector };
        if (++done % 100_000 === 0) options.onProgress?.('embeddings', done);
      }
    }
  } finally {
    await file.close();
  }
  options.onProgress?.('embeddings', done);
}

function stripPrefix(record: EmbeddingRecord, prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return record.id;
  if (!record.id.startsWith(prefix))
    throw new InputError(`${record.where}: id ${JSON.stringify(record.id)} does not start with the id prefix ${JSON.stringify(prefix)}.`);
  return record.id.slice(prefix.length);
}
