/**
 * DPR as a LangChain.js `Embeddings`: DPR's two towers map exactly onto LangChain's two calls —
 * `embedQuery` runs the question encoder, `embedDocuments` the context encoder — so a LangChain
 * vector store filled with `embedDocuments` and searched with `embedQuery` retrieves as DPR does.
 *
 * DPR ranks by inner product, not cosine (its vectors are not normalised): give a store that
 * allows it an inner-product similarity (`innerProduct`, below), or rankings can differ from
 * `dpr search`.
 *
 * Models load on first use. Questions, one at a time, run on this thread. A call with more than
 * `inProcessLimit` documents runs on an EncoderPool (`workers` threads, started once and kept);
 * smaller calls run on this thread, so a few documents never pay for starting workers.
 */
import { Embeddings, type EmbeddingsParams } from '@langchain/core/embeddings';
import { InputError } from '../errors.js';
import type { DownloadProgress } from '../hub/options.js';
import { DEFAULT_BATCH_SIZE } from '../retrieval/defaults.js';
import { embedChunk } from '../retrieval/encode_pipeline.js';
import { loadEncoder, type LoadedEncoder } from '../retrieval/encoders.js';

/** A document as DPR encodes it: `[CLS] title [SEP] text [SEP]` with a title, else `[CLS] text [SEP]`. */
export interface DPRDocument {
  title?: string;
  text: string;
}

export interface DPREmbeddingsParams extends EmbeddingsParams {
  /** A DPR question encoder: a directory (config.json, vocab.txt, weights) or a hub id. */
  questionEncoder: string;
  /** The DPR context encoder paired with it: a directory or a hub id. */
  contextEncoder: string;
  /** Worker threads for large `embedDocuments` calls (default: the number of cores; 1 never starts workers). */
  workers?: number;
  /** Calls with more documents than this use the worker pool (default: one batch, `batchSize`). */
  inProcessLimit?: number;
  /** Documents per model call (default DEFAULT_BATCH_SIZE, 32); documents are grouped by length. */
  batchSize?: number;
  /**
   * How a LangChain document string becomes DPR's (title, text). Default: the whole string is the
   * text, with no title. DPR's own corpora encode `title` and `text` as a pair; split them here
   * to match an index built from (title, text) passages.
   */
  splitDocument?: (document: string) => DPRDocument;
  /** Download progress while a hub id is fetched into the cache. */
  onDownloadProgress?: (event: DownloadProgress) => void;
}

/** The inner product, DPR's similarity; LangChain stores default to cosine. */
export function innerProduct(a: number[], b: number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new InputError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

export class DPREmbeddings extends Embeddings {
  readonly questionEncoder: string;
  readonly contextEncoder: string;
  readonly batchSize: number;
  readonly inProcessLimit: number;
  private readonly workers: number | undefined;
  private readonly splitDocument: (document: string) => DPRDocument;
  private readonly onDownloadProgress: ((event: DownloadProgress) => void) | undefined;
  private question?: Promise<LoadedEncoder>;
  private context?: Promise<LoadedEncoder>;
  private contextPool?: Promise<LoadedEncoder>;
  private disposed = false;

  constructor(params: DPREmbeddingsParams) {
    super(params);
    if (typeof params.questionEncoder !== 'string' || typeof params.contextEncoder !== 'string') {
      throw new InputError('DPREmbeddings needs `questionEncoder` and `contextEncoder`: model directories or hub ids.');
    }
    this.questionEncoder = params.questionEncoder;
    this.contextEncoder = params.contextEncoder;
    this.batchSize = positiveInteger(params.batchSize, 'batchSize', DEFAULT_BATCH_SIZE);
    this.inProcessLimit = positiveInteger(params.inProcessLimit, 'inProcessLimit', this.batchSize);
    this.workers = params.workers === undefined ? undefined : positiveInteger(params.workers, 'workers', 1);
    this.splitDocument = params.splitDocument ?? ((text) => ({ text }));
    this.onDownloadProgress = params.onDownloadProgress;
  }

  private load(model: string, kind: 'DPRQuestionEncoder' | 'DPRContextEncoder', workers: number | undefined): Promise<LoadedEncoder> {
    if (this.disposed) throw new InputError('this DPREmbeddings was disposed; create a new one.');
    return loadEncoder(model, [kind], {
      option: kind === 'DPRQuestionEncoder' ? 'questionEncoder' : 'contextEncoder',
      ...(workers !== undefined ? { workers } : {}),
      ...(this.onDownloadProgress !== undefined ? { onProgress: this.onDownloadProgress } : {}),
    });
  }

  /** The question encoder's vector for `text` (a DPR question vector, `pooler_output`). */
  async embedQuery(text: string): Promise<number[]> {
    this.question ??= this.load(this.questionEncoder, 'DPRQuestionEncoder', 1);
    const encoder = await this.question;
    const [vector] = await encoder.embedder.embed([encoder.tokenize(text)]);
    return Array.from(vector!);
  }

  /** The context encoder's vectors for `documents`, in order. */
  async embedDocuments(documents: string[]): Promise<number[][]> {
    if (documents.length === 0) return [];
    const encoder = await this.contextEncoderFor(documents.length);
    const vectors = await embedChunk(documents, {
      embedder: encoder.embedder,
      tokenize: (document) => {
        const { title, text } = this.splitDocument(document);
        return encoder.tokenize(text, title);
      },
      chunkSize: documents.length,
      batchSize: this.batchSize,
    });
    return vectors.map((v) => Array.from(v));
  }

  private contextEncoderFor(count: number): Promise<LoadedEncoder> {
    if (count > this.inProcessLimit && this.workers !== 1) {
      return (this.contextPool ??= this.load(this.contextEncoder, 'DPRContextEncoder', this.workers));
    }
    return (this.context ??= this.load(this.contextEncoder, 'DPRContextEncoder', 1));
  }

  /** Frees the models and stops the worker pool. The object cannot embed afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const loaded = [this.question, this.context, this.contextPool].filter((p): p is Promise<LoadedEncoder> => p !== undefined);
    this.question = this.context = this.contextPool = undefined;
    const encoders = await Promise.allSettled(loaded);
    await Promise.all(encoders.map((r) => (r.status === 'fulfilled' ? r.value.dispose() : undefined)));
  }
}
