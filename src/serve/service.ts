/**
 * What the server does, without HTTP: load the models and the index once, then answer search,
 * ask and encode through bounded batch queues. Every answer comes from the same library calls the
 * CLI makes (`searchQuestions`, `readSpans`, `embedChunk`), so the hits are those of
 * `dpr search --json` and the spans those of `dpr read --json`.
 */
import type { DownloadProgress } from '../hub/options.js';
import { DEFAULT_QUESTION_BATCH_SIZE } from '../retrieval/defaults.js';
import { embedChunk } from '../retrieval/encode_pipeline.js';
import { loadEncoder, type LoadedEncoder } from '../retrieval/encoders.js';
import { DenseIndex } from '../retrieval/index_format.js';
import { checkEncoderFitsIndex, searchQuestions, type SearchHit } from '../retrieval/question_search.js';
import { loadReader, readSpans, type LoadedReader } from '../retrieval/read.js';
import type { DecodeBestSpansOptions, DPRSpanPrediction } from '../tokenizers/index.js';
import { BatchQueue, QueueFullError, type QueueState } from './batch_queue.js';

export interface ServeModelOptions {
  /** An index directory built by `buildIndex` / `dpr index build`. */
  index: string;
  /** The question encoder paired with the index (directory or hub id). */
  questionModel: string;
  /** A DPR reader, for /ask (directory or hub id). */
  readerModel?: string;
  /** A context encoder, for /encode with kind "context" (directory or hub id). */
  contextModel?: string;
  onProgress?: (event: DownloadProgress) => void;
}

export interface ServeModels {
  index: DenseIndex;
  questionEncoder: LoadedEncoder;
  reader?: LoadedReader;
  contextEncoder?: LoadedEncoder;
}

/** Opens the index and loads the models; frees what was loaded if any of it fails. */
export async function loadServeModels(options: ServeModelOptions): Promise<ServeModels> {
  const loaded: Partial<ServeModels> = {};
  const progress = options.onProgress !== undefined ? { onProgress: options.onProgress } : {};
  try {
    loaded.index = await DenseIndex.open(options.index);
    // In process, as `dpr search` does: questions are short, and the native matMul (if built) uses every core.
    loaded.questionEncoder = await loadEncoder(options.questionModel, ['DPRQuestionEncoder'], {
      option: 'questionModel',
      workers: 1,
      ...progress,
    });
    checkEncoderFitsIndex(loaded.questionEncoder, loaded.index);
    if (options.readerModel !== undefined) loaded.reader = await loadReader(options.readerModel, { option: 'readerModel', ...progress });
    if (options.contextModel !== undefined) {
      loaded.contextEncoder = await loadEncoder(options.contextModel, ['DPRContextEncoder'], {
        option: 'contextModel',
        workers: 1,
        ...progress,
      });
    }
    return loaded as ServeModels;
  } catch (e) {
    await disposeServeModels(loaded);
    throw e;
  }
}

export async function disposeServeModels(models: Partial<ServeModels>): Promise<void> {
  models.reader?.reader.dispose();
  await models.contextEncoder?.dispose();
  await models.questionEncoder?.dispose();
  await models.index?.close();
}

export interface BatchingOptions {
  /** Most questions (or texts) per model call. Default DEFAULT_QUESTION_BATCH_SIZE. */
  maxBatch?: number;
  /** Longest wait for a batch to fill while under load, in ms. Default 2. */
  maxWaitMs?: number;
  /** Most questions (or texts) waiting per queue; more are refused. Default 256. */
  maxQueue?: number;
}

/** A feature the server was started without (e.g. /ask without a reader). */
export class NotConfiguredError extends Error {
  override name = 'NotConfiguredError';
}

interface SearchItem {
  text: string;
  k: number;
}

interface EncodeItem {
  text: string;
  title?: string;
}

interface ReadItem {
  question: string;
  passages: SearchHit[];
  options: DecodeBestSpansOptions;
}

export type QueueName = 'search' | 'encode-question' | 'encode-context' | 'read';

export class RetrievalService {
  readonly queues: ReadonlyMap<QueueName, QueueState>;
  private readonly search: BatchQueue<SearchItem, SearchHit[]>;
  private readonly encodeQuestions: BatchQueue<EncodeItem, Float32Array>;
  private readonly encodeContexts: BatchQueue<EncodeItem, Float32Array> | undefined;
  private readonly read: BatchQueue<ReadItem, DPRSpanPrediction[]> | undefined;

  constructor(
    readonly models: ServeModels,
    batching: BatchingOptions = {},
    onBatch?: (queue: QueueName, size: number) => void,
  ) {
    const maxBatch = batching.maxBatch ?? DEFAULT_QUESTION_BATCH_SIZE;
    const common = { maxBatch, maxWaitMs: batching.maxWaitMs ?? 2, maxQueue: batching.maxQueue ?? 256 };
    const hook = (queue: QueueName) => (onBatch !== undefined ? { onBatch: (size: number) => onBatch(queue, size) } : {});
    const { index, questionEncoder, contextEncoder, reader } = models;
    this.search = new BatchQueue<SearchItem, SearchHit[]>({
      name: 'search',
      ...common,
      ...hook('search'),
      run: async (items) => {
        // One search at the largest k; each question keeps its own k best (a prefix of the top-max k).
        const k = Math.max(...items.map((i) => i.k));
        const hits = await searchQuestions(
          questionEncoder,
          index,
          items.map((item, id) => ({ id, text: item.text })),
          k,
          items.length,
        );
        return hits.map((list, i) => list.slice(0, items[i]!.k));
      },
    });
    this.encodeQuestions = new BatchQueue({
      name: 'encode-question',
      ...common,
      ...hook('encode-question'),
      run: (items) => embedItems(questionEncoder, items),
    });
    this.encodeContexts =
      contextEncoder &&
      new BatchQueue({ name: 'encode-context', ...common, ...hook('encode-context'), run: (items) => embedItems(contextEncoder, items) });
    // The reader reads one question's passages per call; its queue bounds and orders that work.
    this.read =
      reader &&
      new BatchQueue<ReadItem, DPRSpanPrediction[]>({
        name: 'read',
        maxBatch: 1,
        maxWaitMs: 0,
        maxQueue: common.maxQueue,
        ...hook('read'),
        run: async ([item]) => [await readSpans(reader.reader, reader.tokenizer, item!.question, item!.passages, item!.options)],
      });
    const queues = new Map<QueueName, QueueState>([
      ['search', this.search],
      ['encode-question', this.encodeQuestions],
    ]);
    if (this.encodeContexts) queues.set('encode-context', this.encodeContexts);
    if (this.read) queues.set('read', this.read);
    this.queues = queues;
  }

  /** Each question's k best passages, best first. */
  async searchQuestions(questions: string[], k: number, signal?: AbortSignal): Promise<SearchHit[][]> {
    return submitAll(
      this.search,
      questions.map((text) => ({ text, k })),
      signal,
    );
  }

  /** Retrieves k passages for the question, then reads them: spans whose doc_id indexes `passages`. */
  async ask(
    question: string,
    k: number,
    options: DecodeBestSpansOptions,
    signal?: AbortSignal,
  ): Promise<{ spans: DPRSpanPrediction[]; passages: SearchHit[] }> {
    const read = this.read;
    if (read === undefined)
      throw new NotConfiguredError('this server has no reader; start it with a reader model (dpr serve --reader-model) to answer /ask.');
    if (read.depth >= read.maxQueue) throw new QueueFullError('read', read.depth);
    const [passages] = await this.searchQuestions([question], k, signal);
    const spans = await read.submit({ question, passages: passages!, options }, signal);
    return { spans, passages: passages! };
  }

  /** One vector per text, from the question or the context encoder. */
  async encode(kind: 'question' | 'context', texts: string[], titles: string[] | undefined, signal?: AbortSignal): Promise<Float32Array[]> {
    const queue = kind === 'question' ? this.encodeQuestions : this.encodeContexts;
    if (queue === undefined)
      throw new NotConfiguredError(
        'this server has no context encoder; start it with a context model (dpr serve --context-model) to encode passages.',
      );
    return submitAll(
      queue,
      texts.map((text, i) => (titles?.[i] ? { text, title: titles[i] } : { text })),
      signal,
    );
  }

  /** Items waiting in every queue. */
  get queueDepth(): number {
    let depth = 0;
    for (const q of this.queues.values()) depth += q.depth;
    return depth;
  }

  /** Resolves when no queue holds or runs work. */
  async drained(): Promise<void> {
    for (const q of this.queues.values()) await q.drained();
    // An /ask moves from the search queue to the read queue: look again until all are idle.
    if ([...this.queues.values()].some((q) => q.busy)) await this.drained();
  }

  async dispose(): Promise<void> {
    await disposeServeModels(this.models);
  }
}

/** Encodes items as `dpr encode` does: a context text with a title is the pair (title, text). */
function embedItems(encoder: LoadedEncoder, items: EncodeItem[]): Promise<Float32Array[]> {
  return embedChunk(items, {
    embedder: encoder.embedder,
    tokenize: (i) => encoder.tokenize(i.text, i.title),
    chunkSize: items.length,
    batchSize: items.length,
  });
}

/** Submits all of a request's items or none: a request is refused whole when the queue lacks room. */
function submitAll<I, O>(queue: BatchQueue<I, O>, items: I[], signal?: AbortSignal): Promise<O[]> {
  if (queue.depth + items.length > queue.maxQueue) return Promise.reject(new QueueFullError(queue.name, queue.depth));
  return Promise.all(items.map((item) => queue.submit(item, signal)));
}
