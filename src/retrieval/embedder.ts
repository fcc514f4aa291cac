/**
 * The one place where encoder models run for retrieval: rows of token ids in, one vector per row
 * out. `createEmbedder` is the factory the CLI and library use; a worker pool can stand behind the
 * same interface (`workers`), the in-process implementation runs the model on this thread.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { DPRArchitecture } from '../config.js';
import { InputError } from '../errors.js';
import { TFDPRContextEncoder } from '../models/context_encoder.js';
import type { DPREncoderModel } from '../models/encoder_model.js';
import { TFDPRQuestionEncoder } from '../models/question_encoder.js';
import { EncoderPool } from '../pool/encoder_pool.js';
import { kernelLabel } from '../kernels/native_kernels.js';

/** One tokenized sequence, unpadded (or padded: padding is recomputed from attention_mask). */
export interface EncodedRow {
  input_ids: number[];
  token_type_ids: number[];
  attention_mask: number[];
}

export interface Embedder {
  /** Width of the vectors (`projection_dim`, else `hidden_size`). */
  readonly dim: number;
  /** The backend and kernels computing the vectors, e.g. "wasm/native-avx512" (see kernelLabel). */
  readonly kernels?: string;
  /** Encodes rows; returns one vector per row, in order. Rows may differ in length. */
  embed(rows: EncodedRow[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface EmbedderOptions {
  /** A model directory (passed to fromPretrained as is). */
  model: string;
  architecture: Extract<DPRArchitecture, 'DPRQuestionEncoder' | 'DPRContextEncoder'>;
  /** Worker threads: 1 runs the model on this thread; more use an EncoderPool. Default: the number of cores. */
  workers?: number;
}

/** Pads rows to the longest one: ids with `padId`, mask and type ids with 0. */
export function padRows(
  rows: readonly EncodedRow[],
  padId: number,
): { input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][] } {
  const width = Math.max(...rows.map((r) => r.input_ids.length));
  const input_ids: number[][] = [];
  const attention_mask: number[][] = [];
  const token_type_ids: number[][] = [];
  rows.forEach((row, r) => {
    if (row.attention_mask.length !== row.input_ids.length || row.token_type_ids.length !== row.input_ids.length) {
      throw new InputError(`row ${r}: input_ids, attention_mask and token_type_ids must have the same length.`);
    }
    const pad = width - row.input_ids.length;
    input_ids.push([...row.input_ids, ...new Array<number>(pad).fill(padId)]);
    attention_mask.push([...row.attention_mask, ...new Array<number>(pad).fill(0)]);
    token_type_ids.push([...row.token_type_ids, ...new Array<number>(pad).fill(0)]);
  });
  return { input_ids, attention_mask, token_type_ids };
}

/** Runs an already loaded encoder on this thread. Owns the model (dispose frees it). */
export class InProcessEmbedder implements Embedder {
  readonly kernels = kernelLabel();

  constructor(private readonly model: DPREncoderModel) {}

  get dim(): number {
    return this.model.embeddingsSize;
  }

  async embed(rows: EncodedRow[]): Promise<Float32Array[]> {
    if (rows.length === 0) return [];
    const inputs = padRows(rows, this.model.config.pad_token_id ?? 0);
    const output = this.model.call(inputs);
    try {
      const flat = (await output.pooler_output.data()) as Float32Array;
      const dim = output.pooler_output.shape[1];
      return rows.map((_, r) => flat.slice(r * dim, (r + 1) * dim));
    } finally {
      tf.dispose(output as unknown as tf.TensorContainer);
    }
  }

  async dispose(): Promise<void> {
    this.model.dispose();
  }
}

/** Runs the encoder on an EncoderPool (one model per worker thread). Owns the pool. */
export class PoolEmbedder implements Embedder {
  constructor(private readonly pool: EncoderPool) {}

  get dim(): number {
    return this.pool.dim;
  }

  get kernels(): string {
    return this.pool.kernels;
  }

  async embed(rows: EncodedRow[]): Promise<Float32Array[]> {
    if (rows.length === 0) return [];
    const flat = await this.pool.encode(padRows(rows, this.pool.config.pad_token_id ?? 0));
    const dim = this.pool.dim;
    return rows.map((_, r) => flat.slice(r * dim, (r + 1) * dim));
  }

  dispose(): Promise<void> {
    return this.pool.close();
  }
}

/** Loads the encoder named by `options.model` (a directory) and returns an embedder for it. */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const workers = options.workers ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new InputError(`workers must be a positive integer, got ${options.workers}.`);
  }
  if (workers > 1) {
    const kind = options.architecture === 'DPRQuestionEncoder' ? 'question' : 'context';
    return new PoolEmbedder(await EncoderPool.create({ kind, source: { dir: options.model }, workers }));
  }
  const model =
    options.architecture === 'DPRQuestionEncoder'
      ? await TFDPRQuestionEncoder.fromPretrained(options.model)
      : await TFDPRContextEncoder.fromPretrained(options.model);
  return new InProcessEmbedder(model);
}
