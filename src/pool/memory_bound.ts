/**
 * How many rows one worker call may hold so that its activations fit in the wasm heap. The wasm
 * backend's heap cannot grow past 4 GiB, and running out of it aborts the module for good (every
 * later call fails): a single `encode` of 1024 × 512 ids for a base model needs ~13 GB of attention
 * scores alone. Rows are therefore split into calls whose estimated peak activations stay within
 * a budget that leaves room for the weights and the allocator's fragmentation.
 */
import type { DPRConfig } from '../config.js';

/** Peak activation bytes one call may use (a quarter of the 4 GiB wasm heap). */
export const ACTIVATION_BUDGET_BYTES = 1024 * 1024 * 1024;

/**
 * Estimated peak bytes of one row of `seq` tokens inside a layer: the attention scores
 * [nh, T, T] live as scores, masked scores and softmax; the [T, H] tensors as about ten copies
 * (projections, residuals, norms); the [T, I] intermediate as input and activation of the GELU.
 */
export function activationBytesPerRow(
  config: Pick<DPRConfig, 'num_attention_heads' | 'hidden_size' | 'intermediate_size'>,
  seq: number,
): number {
  const floats = 3 * config.num_attention_heads * seq * seq + 10 * seq * config.hidden_size + 3 * seq * config.intermediate_size;
  return floats * 4;
}

/** The most rows of `seq` tokens one worker call may hold (at least 1). */
export function maxRowsPerCall(
  config: Pick<DPRConfig, 'num_attention_heads' | 'hidden_size' | 'intermediate_size'>,
  seq: number,
  budgetBytes = ACTIVATION_BUDGET_BYTES,
): number {
  return Math.max(1, Math.floor(budgetBytes / activationBytesPerRow(config, Math.max(1, seq))));
}
