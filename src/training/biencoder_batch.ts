/**
 * DPR's `BiEncoder.create_biencoder_input` (dpr/models/biencoder.py) and its Tensorizer
 * (`BertTensorizer.text_to_tensor`, dpr/models/hf_models.py): for each sample, in order, the first
 * positive, then `otherNegatives` of its negatives, then `hardNegatives` of its hard negatives
 * (each pool shuffled first when training; with no hard negatives, the first negatives stand in);
 * its positive's index is where its block starts. Questions get DPR's normalisation (’ → ').
 * Contexts are `title [SEP] text` when the title is a non-empty string, else the text alone.
 *
 * Rows are padded to the longest row of the batch (DPR pads to max_length; under the attention
 * mask the result is the same, and the shorter rows cost less).
 */
import type { BertTokenizer } from '../tokenizers/bert_tokenizer.js';
import type { PythonRandom } from './python_random.js';
import type { DprContext, DprSample } from './training_data.js';

export interface BiEncoderBatchOptions {
  /** Hard negatives per question (DPR `hard_negatives`). */
  hardNegatives: number;
  /** Other negatives per question (DPR `other_negatives`). */
  otherNegatives: number;
  /** Use the first negatives when a sample has no hard negatives (DPR `hard_neg_fallback`, default true). */
  hardNegativeFallback?: boolean;
}

export interface BiEncoderTexts {
  questions: string[];
  contexts: DprContext[];
  /** Index (into contexts) of each question's positive. */
  positiveIndices: number[];
  /** Indices of each question's hard negatives. */
  hardNegativeIndices: number[][];
}

/** DPR `normalize_question`. */
function normalizeQuestion(question: string): string {
  return question.replaceAll('\u2019', "'");
}

/**
 * `rng` shuffles the negative pools (DPR: `shuffle=True` in training, seeded per batch); null
 * keeps their order (DPR's validation).
 */
export function createBiEncoderTexts(
  samples: readonly DprSample[],
  options: BiEncoderBatchOptions,
  rng: PythonRandom | null,
): BiEncoderTexts {
  const texts: BiEncoderTexts = { questions: [], contexts: [], positiveIndices: [], hardNegativeIndices: [] };
  for (const sample of samples) {
    let negatives = [...sample.negative_ctxs];
    let hard = [...sample.hard_negative_ctxs];
    if (rng !== null) {
      rng.shuffle(negatives);
      rng.shuffle(hard);
    }
    if ((options.hardNegativeFallback ?? true) && hard.length === 0) hard = negatives.slice(0, options.hardNegatives);
    negatives = negatives.slice(0, options.otherNegatives);
    hard = hard.slice(0, options.hardNegatives);
    const start = texts.contexts.length;
    texts.contexts.push(sample.positive_ctxs[0]!, ...negatives, ...hard);
    texts.positiveIndices.push(start);
    const hardStart = start + 1 + negatives.length;
    texts.hardNegativeIndices.push(hard.map((_, i) => hardStart + i));
    texts.questions.push(normalizeQuestion(sample.question));
  }
  return texts;
}

/** Token rows of one encoder's batch, padded to the longest row. */
export interface TokenRows {
  input_ids: number[][];
  token_type_ids: number[][];
  attention_mask: number[][];
}

export interface TokenizeOptions {
  maxLength: number;
  /**
   * Token type ids of `title [SEP] text` rows: 'pair' (default) as the HF tokenizer gives them
   * (1 on the text) — what the reference run and HF inference use; 'zeros' as DPR's own trainer
   * feeds them (`ctx_segments = zeros_like`).
   */
  contextTokenTypes?: 'pair' | 'zeros';
}

function padRows(rows: { input_ids: number[]; token_type_ids: number[] }[], padId: number): TokenRows {
  const width = Math.max(...rows.map((r) => r.input_ids.length));
  const out: TokenRows = { input_ids: [], token_type_ids: [], attention_mask: [] };
  for (const r of rows) {
    const pad = width - r.input_ids.length;
    out.input_ids.push([...r.input_ids, ...new Array<number>(pad).fill(padId)]);
    out.token_type_ids.push([...r.token_type_ids, ...new Array<number>(pad).fill(0)]);
    out.attention_mask.push([...r.input_ids.map(() => 1), ...new Array<number>(pad).fill(0)]);
  }
  return out;
}

/** DPR's `text_to_tensor` for each question: `[CLS] question [SEP]`, truncated to maxLength. */
export function tokenizeQuestions(tokenizer: BertTokenizer, questions: readonly string[], options: TokenizeOptions): TokenRows {
  const rows = questions.map((q) => tokenizer.encode(q, null, { truncation: true, max_length: options.maxLength }));
  return padRows(rows, tokenizer.pad_token_id);
}

/** DPR's `text_to_tensor(text, title)` for each context (longest-first truncation of the pair). */
export function tokenizeContexts(tokenizer: BertTokenizer, contexts: readonly DprContext[], options: TokenizeOptions): TokenRows {
  const zeros = options.contextTokenTypes === 'zeros';
  const rows = contexts.map((c) => {
    const hasTitle = c.title !== null && c.title !== '';
    const row = hasTitle
      ? tokenizer.encode(c.title!, c.text, { truncation: true, max_length: options.maxLength })
      : tokenizer.encode(c.text, null, { truncation: true, max_length: options.maxLength });
    return zeros ? { input_ids: row.input_ids, token_type_ids: row.input_ids.map(() => 0) } : row;
  });
  return padRows(rows, tokenizer.pad_token_id);
}
