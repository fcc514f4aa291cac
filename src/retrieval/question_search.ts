/**
 * Questions against a dense index: encode a batch of questions with a question encoder, search
 * the index exactly, and return each question's best passages with their text.
 */
import { InputError } from '../errors.js';
import { embedChunk } from './encode_pipeline.js';
import type { LoadedEncoder } from './encoders.js';
import type { DenseIndex, StoredPassage } from './index_format.js';
import { searchVectors } from './search.js';

export interface Question {
  id: string | number;
  text: string;
}

export interface SearchHit extends StoredPassage {
  score: number;
}

/** Throws unless `encoder` gives vectors as wide as those stored in `index`. */
export function checkEncoderFitsIndex(encoder: LoadedEncoder, index: DenseIndex): void {
  if (encoder.embedder.dim === index.dim) return;
  throw new InputError(
    `the question encoder ${encoder.model} gives vectors of ${encoder.embedder.dim} values but the index ${index.dir} holds ${index.dim}; ` +
      `use the question encoder paired with the index's context encoder (${index.manifest.encoder.model}).`,
  );
}

/** Encodes a batch of questions and returns each one's top-k passages, best first. */
export async function searchQuestions(
  encoder: LoadedEncoder,
  index: DenseIndex,
  questions: Question[],
  k: number,
  batchSize: number,
): Promise<SearchHit[][]> {
  const vectors = await embedChunk(questions, {
    embedder: encoder.embedder,
    tokenize: (q) => encoder.tokenize(q.text),
    chunkSize: questions.length,
    batchSize,
  });
  const hits = await searchVectors(index, vectors, { k });
  return Promise.all(hits.map((list) => Promise.all(list.map(async (h) => ({ ...(await index.passage(h.index)), score: h.score })))));
}
