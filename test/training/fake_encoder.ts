/**
 * A small TrainableEncoder for trainer tests that do not need BERT: masked mean of token embeddings,
 * then a bias, with optional dropout — real variables, real gradients, a real tokenizer.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, writeSafetensors } from '../../src/io/safetensors.js';
import type { BertTokenizer } from '../../src/tokenizers/bert_tokenizer.js';
import type { TokenRows } from '../../src/training/biencoder_batch.js';
import type { ForwardOptions, TrainableEncoder } from '../../src/training/encoder_pair.js';
import { seededRandom } from '../../src/models/random_weights.js';

export class FakeEncoder implements TrainableEncoder {
  readonly parameters: Map<string, tf.Variable>;

  constructor(
    readonly tokenizer: BertTokenizer,
    readonly prefix: string,
    seed: number,
    width = 8,
    vocab = 30522,
  ) {
    const next = seededRandom(seed);
    const emb = Float32Array.from({ length: vocab * width }, () => (next() - 0.5) * 0.2);
    const [embedding, bias] = tf.tidy(() => [tf.variable(tf.tensor2d(emb, [vocab, width])), tf.variable(tf.zeros([width]))]);
    this.parameters = new Map([
      [`${prefix}.embeddings.weight`, embedding as tf.Variable],
      [`${prefix}.LayerNorm.bias`, bias as tf.Variable],
    ]);
  }

  encode(rows: TokenRows, options: ForwardOptions): tf.Tensor2D {
    return tf.tidy(() => {
      const ids = tf.tensor2d(rows.input_ids, undefined, 'int32');
      const mask = tf.tensor2d(rows.attention_mask, undefined, 'float32');
      const [b, t] = ids.shape;
      const emb = this.parameters.get(`${this.prefix}.embeddings.weight`)!;
      let tokens = tf.reshape(tf.gather(emb, tf.reshape(ids, [-1])), [b, t, -1]);
      if (options.training) tokens = tf.dropout(tokens, 0.1, undefined, options.dropoutSeed);
      const summed = tf.sum(tf.mul(tokens, tf.expandDims(mask, 2)), 1);
      const mean = tf.div(summed, tf.expandDims(tf.sum(mask, 1), 1));
      return tf.add(mean, this.parameters.get(`${this.prefix}.LayerNorm.bias`)!) as tf.Tensor2D;
    });
  }

  async save(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    const tensors = [];
    for (const [name, v] of this.parameters) {
      const data = (await v.data()) as Float32Array;
      tensors.push({ name, dtype: 'F32' as const, shape: v.shape, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    }
    writeSafetensors(join(dir, 'model.safetensors'), tensors);
  }

  load(dir: string): void {
    const file = SafetensorsFile.open(join(dir, 'model.safetensors'));
    for (const [name, v] of this.parameters) tf.tidy(() => v.assign(tf.tensor(file.readFloat32(name), v.shape)));
    file.close();
  }

  dispose(): void {
    tf.dispose([...this.parameters.values()]);
  }
}
