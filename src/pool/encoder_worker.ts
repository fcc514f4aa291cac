/**
 * One encoder in a worker thread: its own TensorFlow.js backend and its own copy of the weights.
 * Receives batches of ids, answers with the pooled vectors ([batch × dim] float32).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '../backend.js';
import { kernelLabel } from '../kernels/native_kernels.js';
import { TFDPRContextEncoder } from '../models/context_encoder.js';
import { TFDPRQuestionEncoder } from '../models/question_encoder.js';
import type { DPREncoderModel } from '../models/encoder_model.js';
import type { EncodeRequest, WorkerInit, WorkerMessage } from './protocol.js';

const port = parentPort;
if (port === null) throw new Error('encoder_worker.ts must run in a worker thread');

function toRows(values: Int32Array, batch: number, seq: number): number[][] {
  return Array.from({ length: batch }, (_, b) => Array.from(values.subarray(b * seq, (b + 1) * seq)));
}

async function start(init: WorkerInit): Promise<DPREncoderModel> {
  const backend = await setBackend(init.backend);
  const Model = init.kind === 'question' ? TFDPRQuestionEncoder : TFDPRContextEncoder;
  const model = 'dir' in init.source
    ? await Model.fromPretrained(init.source.dir)
    : Model.fromWeights(init.source.config, new Map(init.source.weights));
  port!.postMessage({ type: 'ready', backend, dim: model.embeddingsSize, kernels: kernelLabel() } satisfies WorkerMessage);
  return model;
}

const modelPromise = start(workerData as WorkerInit).catch((e: Error) => {
  port.postMessage({ type: 'init-error', message: e.message, name: e.name } satisfies WorkerMessage);
  return undefined;
});

port.on('message', async (request: EncodeRequest) => {
  const model = await modelPromise;
  if (model === undefined) return;
  try {
    const { batch, seq } = request;
    const output = model.call({
      input_ids: toRows(request.inputIds, batch, seq),
      ...(request.attentionMask ? { attention_mask: toRows(request.attentionMask, batch, seq) } : {}),
      ...(request.tokenTypeIds ? { token_type_ids: toRows(request.tokenTypeIds, batch, seq) } : {}),
    });
    const vectors = output.pooler_output.dataSync() as Float32Array;
    tf.dispose(output as unknown as tf.TensorContainer);
    port.postMessage({ type: 'result', id: request.id, vectors } satisfies WorkerMessage, [vectors.buffer as ArrayBuffer]);
  } catch (e) {
    const error = e as Error;
    port.postMessage({ type: 'error', id: request.id, message: error.message, name: error.name } satisfies WorkerMessage);
  }
});
