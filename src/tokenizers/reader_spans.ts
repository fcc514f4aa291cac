/**
 * Mirrors HF `CustomDPRReaderTokenizerMixin.decode_best_spans` and `_get_best_spans`
 * (transformers/models/dpr/tokenization_dpr.py), quirks included:
 * - passages are visited by decreasing relevance (a stable sort, so ties keep passage order);
 * - the passage offset is the first [SEP] at or after position 2, plus one — for
 *   `[CLS] q [SEP] title [SEP] text` that is the start of the title, so spans can cover the title;
 * - a span is skipped only when it contains, or is contained in, a span already chosen — partial
 *   overlaps are allowed;
 * - collection stops after the first passage that brings the total to `num_spans`.
 */
import { InputError } from '../errors.js';

/** HF `DPRSpanPrediction`, fields in HF's order. */
export interface DPRSpanPrediction {
  span_score: number;
  relevance_score: number;
  doc_id: number;
  start_index: number;
  end_index: number;
  text: string;
}

export interface DecodeBestSpansOptions {
  /** How many spans to return in all (default 16). */
  num_spans?: number;
  /** Longest span, in tokens (default 64). */
  max_answer_length?: number;
  /** How many spans to take from one passage (default 4). */
  num_spans_per_passage?: number;
}

/** Anything with `arraySync()`, such as a tfjs Tensor, without importing tfjs here. */
interface ArraySyncable {
  arraySync(): unknown;
}

export type Matrix = number[][] | ArraySyncable;
export type Vector = number[] | ArraySyncable;

export interface ReaderInput {
  input_ids: Matrix;
}

/** The reader model's output (`{start_logits, end_logits, relevance_logits}`) or HF's tuple order. */
export type ReaderOutput =
  { start_logits: Matrix; end_logits: Matrix; relevance_logits: Vector } | readonly [Matrix, Matrix, Vector, ...unknown[]];

function isArraySyncable(x: unknown): x is ArraySyncable {
  return typeof x === 'object' && x !== null && typeof (x as { arraySync?: unknown }).arraySync === 'function';
}

function toMatrix(x: unknown, name: string): number[][] {
  const v = isArraySyncable(x) ? x.arraySync() : x;
  if (!Array.isArray(v) || !v.every((row) => Array.isArray(row) && row.every((n) => typeof n === 'number'))) {
    throw new InputError(`${name} must be a 2-D array of numbers [n_passages, seq_len] (or a Tensor2D); found ${describe(v)}.`);
  }
  return v as number[][];
}

function toVector(x: unknown, name: string): number[] {
  const v = isArraySyncable(x) ? x.arraySync() : x;
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'number')) {
    throw new InputError(`${name} must be a 1-D array of numbers [n_passages] (or a Tensor1D); found ${describe(v)}.`);
  }
  return v as number[];
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array whose first element is ${Array.isArray(v[0]) ? 'an array' : typeof v[0]}`;
  return v === null ? 'null' : typeof v;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InputError(`${name} must be a positive integer, found ${JSON.stringify(value)}.`);
  return value;
}

/**
 * The sum HF computes: on float32 logits (what the model returns) a float32 addition, so that
 * scores — and the order of near-ties — match PyTorch's; plain double addition otherwise.
 */
function addScores(a: number, b: number): number {
  return Math.fround(a) === a && Math.fround(b) === b ? Math.fround(a + b) : a + b;
}

/** HF `_get_best_spans`: the best non-nested spans of one passage, as [start, end] (inclusive). */
export function getBestSpans(
  startLogits: number[],
  endLogits: number[],
  maxAnswerLength: number,
  topSpans: number,
): Array<[number, number]> {
  const scored: Array<{ start: number; end: number; score: number }> = [];
  for (let start = 0; start < startLogits.length; start++) {
    const last = Math.min(endLogits.length, start + maxAnswerLength);
    for (let end = start; end < last; end++) {
      scored.push({ start, end, score: addScores(startLogits[start]!, endLogits[end]!) });
    }
  }
  // Array.prototype.sort is stable, like Python's sorted(reverse=True): ties keep their order.
  scored.sort((x, y) => y.score - x.score);
  const chosen: Array<[number, number]> = [];
  for (const { start, end } of scored) {
    const nested = chosen.some(([ps, pe]) => (start <= ps && ps <= pe && pe <= end) || (ps <= start && start <= end && end <= pe));
    if (nested) continue;
    chosen.push([start, end]);
    if (chosen.length === topSpans) break;
  }
  return chosen;
}

/** The parts of the tokenizer decode_best_spans needs. */
export interface SpanDecoder {
  readonly sep_token_id: number;
  readonly pad_token_id: number;
  decode(ids: readonly number[]): string;
}

interface ReaderArrays {
  inputIds: number[][];
  start: number[][];
  end: number[][];
  relevance: number[];
}

/** The tokenizer's rows and the model's logits as arrays, checked to cover the same passages and tokens. */
function readerArrays(readerInput: ReaderInput, readerOutput: ReaderOutput): ReaderArrays {
  if (typeof readerInput !== 'object' || readerInput === null || !('input_ids' in readerInput)) {
    throw new InputError("readerInput must be the reader tokenizer's output, with input_ids [n_passages, seq_len].");
  }
  const inputIds = toMatrix(readerInput.input_ids, 'readerInput.input_ids');
  let startRaw: unknown;
  let endRaw: unknown;
  let relevanceRaw: unknown;
  if (Array.isArray(readerOutput)) {
    [startRaw, endRaw, relevanceRaw] = readerOutput;
  } else if (typeof readerOutput === 'object' && readerOutput !== null) {
    const o = readerOutput as { start_logits?: unknown; end_logits?: unknown; relevance_logits?: unknown };
    startRaw = o.start_logits;
    endRaw = o.end_logits;
    relevanceRaw = o.relevance_logits;
  }
  const start = toMatrix(startRaw, 'start_logits');
  const end = toMatrix(endRaw, 'end_logits');
  const relevance = toVector(relevanceRaw, 'relevance_logits');
  const n = relevance.length;
  if (start.length !== n || end.length !== n || inputIds.length !== n) {
    throw new InputError(
      `input_ids, start_logits, end_logits and relevance_logits must cover the same passages; found ` +
        `${inputIds.length}, ${start.length}, ${end.length} and ${n}. Pass the reader output computed on this input.`,
    );
  }
  for (let d = 0; d < n; d++) {
    const len = inputIds[d]!.length;
    if (start[d]!.length !== len || end[d]!.length !== len) {
      throw new InputError(
        `passage ${d}: input_ids has ${len} tokens but start_logits has ${start[d]!.length} and end_logits ${end[d]!.length}; ` +
          'pass the reader output computed on this input.',
      );
    }
  }
  return { inputIds, start, end, relevance };
}

export function decodeBestSpans(
  tokenizer: SpanDecoder,
  readerInput: ReaderInput,
  readerOutput: ReaderOutput,
  options: DecodeBestSpansOptions = {},
): DPRSpanPrediction[] {
  const numSpans = positiveInt(options.num_spans ?? 16, 'num_spans');
  const maxAnswerLength = positiveInt(options.max_answer_length ?? 64, 'max_answer_length');
  const perPassage = positiveInt(options.num_spans_per_passage ?? 4, 'num_spans_per_passage');
  const { inputIds, start, end, relevance } = readerArrays(readerInput, readerOutput);
  const n = relevance.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => relevance[b]! - relevance[a]!);
  const predictions: DPRSpanPrediction[] = [];
  for (const docId of order) {
    const ids = inputIds[docId]!;
    let sep = -1;
    for (let i = 2; i < ids.length; i++) {
      if (ids[i] === tokenizer.sep_token_id) {
        sep = i;
        break;
      }
    }
    if (sep < 0) {
      throw new InputError(
        `passage ${docId} has no [SEP] (id ${tokenizer.sep_token_id}) at or after position 2; ` +
          'decodeBestSpans needs rows built as [CLS] question [SEP] title [SEP] text by the reader tokenizer.',
      );
    }
    const passageOffset = sep + 1;
    const seqLen = ids[ids.length - 1] === tokenizer.pad_token_id ? ids.indexOf(tokenizer.pad_token_id) : ids.length;
    const best = getBestSpans(
      start[docId]!.slice(passageOffset, Math.max(passageOffset, seqLen)),
      end[docId]!.slice(passageOffset, Math.max(passageOffset, seqLen)),
      maxAnswerLength,
      perPassage,
    );
    for (const [s, e] of best) {
      const startIndex = s + passageOffset;
      const endIndex = e + passageOffset;
      predictions.push({
        span_score: addScores(start[docId]![startIndex]!, end[docId]![endIndex]!),
        relevance_score: relevance[docId]!,
        doc_id: docId,
        start_index: startIndex,
        end_index: endIndex,
        text: tokenizer.decode(ids.slice(startIndex, endIndex + 1)),
      });
    }
    if (predictions.length >= numSpans) break;
  }
  return predictions.slice(0, numSpans);
}
