/**
 * Mirrors HF `BertEncoder`: the stack of layers, collecting hidden states and attention maps
 * when asked.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DPRConfig } from '../config.js';
import type { ForwardContext } from './forward_context.js';
import { BertLayer } from './layer.js';
import type { WeightSpec, WeightStore } from './weight_store.js';
import { tidyResult } from './tidy.js';

export interface EncoderResult {
  /** [B·T, H] */
  last: tf.Tensor2D;
  /** num_layers + 1 entries ([B·T, H]): the embeddings, then each layer's output. */
  hiddenStates?: tf.Tensor2D[];
  /** num_layers entries [B, nh, T, T]. */
  attentions?: tf.Tensor4D[];
}

export class BertEncoder {
  readonly layers: BertLayer[];

  constructor(config: DPRConfig, store: WeightStore, prefix: string) {
    this.layers = Array.from({ length: config.num_hidden_layers }, (_, i) => new BertLayer(config, store, `${prefix}.layer.${i}`));
  }

  static weightSpecs(config: DPRConfig, prefix: string): WeightSpec[] {
    return Array.from({ length: config.num_hidden_layers }, (_, i) => BertLayer.weightSpecs(config, `${prefix}.layer.${i}`)).flat();
  }

  apply(embeddings: tf.Tensor2D, ctx: ForwardContext): EncoderResult {
    return tidyResult(() => {
      const hiddenStates: tf.Tensor2D[] = [embeddings];
      const attentions: tf.Tensor4D[] = [];
      let hidden = embeddings;
      for (const layer of this.layers) {
        const { output, probs } = layer.apply(hidden, ctx);
        // Free each layer's input as soon as the next exists unless the caller wants them all.
        if (!ctx.outputHiddenStates && hidden !== embeddings) hidden.dispose();
        hidden = output;
        if (ctx.outputHiddenStates) hiddenStates.push(output);
        if (probs !== undefined) attentions.push(probs);
      }
      const result: EncoderResult = { last: hidden };
      if (ctx.outputHiddenStates) result.hiddenStates = hiddenStates;
      if (ctx.outputAttentions) result.attentions = attentions;
      return result;
    });
  }
}
