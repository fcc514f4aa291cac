/**
 * Validation of the ids / mask / type-id arguments at the public boundary, before any kernel
 * runs: backends differ on bad input (one throws on an out-of-range gather, another returns zeros).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import { InputError } from '../errors.js';

/** A batch of token ids: rows of equal length, or an int32 Tensor2D. */
export type IdMatrix = number[][] | tf.Tensor2D;

export interface ModelInputs {
  input_ids: IdMatrix;
  attention_mask?: IdMatrix;
  token_type_ids?: IdMatrix;
}

export interface OutputOptions {
  output_hidden_states?: boolean;
  output_attentions?: boolean;
}

export interface CheckedInputs {
  batch: number;
  seq: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  tokenTypeIds: Int32Array;
}

interface Matrix {
  rows: number;
  cols: number;
  values: Int32Array;
}

function readMatrix(name: string, value: unknown, allowFloat: boolean): Matrix {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new InputError(`${name} is a disposed tensor; pass a live tensor or a number[][].`);
    if (value.rank !== 2) {
      throw new InputError(
        `${name} must be rank 2 [batch, sequence]; got a rank-${value.rank} tensor of shape [${value.shape.join(', ')}]. Wrap a single sequence as [ids].`,
      );
    }
    if (value.dtype !== 'int32' && !(allowFloat && (value.dtype === 'float32' || value.dtype === 'bool'))) {
      throw new InputError(`${name} must be an int32 tensor; got ${value.dtype}. Use tf.tensor2d(ids, shape, 'int32').`);
    }
    const [rows, cols] = value.shape as [number, number];
    const raw = value.dataSync();
    const values = new Int32Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (!Number.isInteger(v))
        throw new InputError(`${name} holds the non-integer value ${v} at flat index ${i}; ${name} must hold whole numbers.`);
      values[i] = v;
    }
    return { rows, cols, values };
  }
  if (!Array.isArray(value)) {
    throw new InputError(`${name} must be a number[][] or an int32 Tensor2D; got ${value === null ? 'null' : typeof value}.`);
  }
  const rows = value.length;
  if (rows > 0 && !Array.isArray(value[0])) {
    throw new InputError(`${name} must be a batch (number[][]); got a flat array. Wrap a single sequence as [ids].`);
  }
  const cols = rows > 0 ? (value[0] as unknown[]).length : 0;
  const values = new Int32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = value[r];
    if (!Array.isArray(row)) throw new InputError(`${name}[${r}] is not an array; ${name} must be number[][].`);
    if (row.length !== cols) {
      throw new InputError(
        `${name} is ragged: row 0 has ${cols} entries but row ${r} has ${row.length}. Pad every row to the same length (the tokenizer's padding option does this).`,
      );
    }
    for (let c = 0; c < cols; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isInteger(v)) {
        throw new InputError(`${name}[${r}][${c}] is ${JSON.stringify(v)}; ${name} must hold integers.`);
      }
      values[r * cols + c] = v;
    }
  }
  return { rows, cols, values };
}

function checkRange(name: string, m: Matrix, low: number, high: number, fix: string): void {
  for (let i = 0; i < m.values.length; i++) {
    const v = m.values[i]!;
    if (v < low || v >= high) {
      const r = Math.floor(i / m.cols);
      const c = i % m.cols;
      throw new InputError(`${name}[${r}][${c}] is ${v}, outside [${low}, ${high}). ${fix}`);
    }
  }
}

function checkSameShape(name: string, m: Matrix, ids: Matrix): void {
  if (m.rows !== ids.rows || m.cols !== ids.cols) {
    throw new InputError(`${name} has shape [${m.rows}, ${m.cols}] but input_ids has shape [${ids.rows}, ${ids.cols}]; they must match.`);
  }
}

/**
 * Validates inputs against a config and fills HF's defaults. `defaultMask` decides an omitted
 * attention_mask: 'non_pad' (ids != pad_token_id, the DPR encoders) or 'ones' (the reader).
 */
export function checkInputs(
  inputs: ModelInputs,
  config: DPRConfig,
  defaultMask: 'non_pad' | 'ones',
  acceptsTokenTypes = true,
): CheckedInputs {
  if (typeof inputs !== 'object' || inputs === null) {
    throw new InputError('inputs must be an object { input_ids, attention_mask?, token_type_ids? }.');
  }
  if (inputs.input_ids === undefined) throw new InputError('input_ids is required.');
  const ids = readMatrix('input_ids', inputs.input_ids, false);
  if (ids.rows === 0) throw new InputError('input_ids is an empty batch; pass at least one sequence.');
  if (ids.cols === 0) throw new InputError('input_ids has empty sequences; every sequence needs at least one token ([CLS]).');
  if (ids.cols > config.max_position_embeddings) {
    throw new InputError(
      `input_ids has sequences of ${ids.cols} tokens but this model accepts at most max_position_embeddings = ${config.max_position_embeddings}; truncate (tokenizer option truncation: true, max_length: ${config.max_position_embeddings}).`,
    );
  }
  checkRange(
    'input_ids',
    ids,
    0,
    config.vocab_size,
    `Ids must be below vocab_size (${config.vocab_size}); was the text tokenized with this model's vocabulary?`,
  );

  let attentionMask: Int32Array;
  if (inputs.attention_mask !== undefined) {
    const mask = readMatrix('attention_mask', inputs.attention_mask, true);
    checkSameShape('attention_mask', mask, ids);
    checkRange('attention_mask', mask, 0, 2, 'A mask holds 1 for tokens to attend to and 0 for padding.');
    attentionMask = mask.values;
  } else if (defaultMask === 'ones' || config.pad_token_id === null) {
    attentionMask = new Int32Array(ids.values.length).fill(1);
  } else {
    attentionMask = ids.values.map((id) => (id !== config.pad_token_id ? 1 : 0));
  }

  let tokenTypeIds: Int32Array;
  if (inputs.token_type_ids !== undefined) {
    if (!acceptsTokenTypes) {
      throw new InputError('token_type_ids is not an input of the DPR reader (HF runs it with zeros); remove it.');
    }
    const types = readMatrix('token_type_ids', inputs.token_type_ids, false);
    checkSameShape('token_type_ids', types, ids);
    checkRange('token_type_ids', types, 0, config.type_vocab_size, `Type ids must be below type_vocab_size (${config.type_vocab_size}).`);
    tokenTypeIds = types.values;
  } else {
    tokenTypeIds = new Int32Array(ids.values.length);
  }
  return { batch: ids.rows, seq: ids.cols, inputIds: ids.values, attentionMask, tokenTypeIds };
}
