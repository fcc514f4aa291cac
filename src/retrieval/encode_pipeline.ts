/**
 * The encode pipeline: records stream in, are cut into fixed-size chunks, each chunk is tokenized,
 * bucketed by length, embedded batch by batch, and handed back in input order. Only one chunk is
 * in memory at a time. Chunk boundaries depend only on record positions, so the same corpus always
 * gives the same batches.
 */
import { bucketByLength } from './bucketing.js';
import type { EncodedRow, Embedder } from './embedder.js';

export interface PipelineOptions<T> {
  embedder: Embedder;
  tokenize(item: T): EncodedRow;
  /** Records per chunk (and per index shard). */
  chunkSize: number;
  /** Rows per model call. */
  batchSize: number;
  /** Most padded tokens per model call. */
  maxTokens?: number;
  /** Called after each batch with the number of records it held. */
  onBatch?(rows: number): void;
}

export interface EmbeddedChunk<T> {
  items: T[];
  vectors: Float32Array[];
}

/** Embeds one in-memory chunk, bucketing by length; vectors come back in the chunk's order. */
export async function embedChunk<T>(items: T[], options: PipelineOptions<T>): Promise<Float32Array[]> {
  const rows = items.map((item) => options.tokenize(item));
  const vectors = new Array<Float32Array>(items.length);
  const batches = bucketByLength(
    rows.map((r) => r.input_ids.length),
    { batchSize: options.batchSize, maxTokens: options.maxTokens },
  );
  for (const batch of batches) {
    const out = await options.embedder.embed(batch.map((i) => rows[i]!));
    batch.forEach((i, j) => (vectors[i] = out[j]!));
    options.onBatch?.(batch.length);
  }
  return vectors;
}

/** Streams records through the embedder, one chunk at a time, in input order. */
export async function* embedStream<T>(items: AsyncIterable<T>, options: PipelineOptions<T>): AsyncGenerator<EmbeddedChunk<T>> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === options.chunkSize) {
      yield { items: chunk, vectors: await embedChunk(chunk, options) };
      chunk = [];
    }
  }
  if (chunk.length > 0) yield { items: chunk, vectors: await embedChunk(chunk, options) };
}
