/**
 * One encoder in a worker thread: its own TensorFlow.js backend and its own copy of the weights.
 * Receives batches of ids, answers with the pooled vectors ([batch × dim] float32).
 */
import { writeFileSync } from 'node:fs';
import { parentPort, threadId, workerData } from 'node:worker_threads';
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
  const model =
    'dir' in init.source
      ? await Model.fromPretrained(init.source.dir)
      : Model.fromWeights(init.source.config, new Map(init.source.weights));
  port!.postMessage({ type: 'ready', backend, dim: model.embeddingsSize, kernels: kernelLabel() } satisfies WorkerMessage);
  return model;
}

const modelPromise = start(workerData as WorkerInit).catch((e: Error) => {
  port.postMessage({ type: 'init-error', message: e.message, name: e.name } satisfies WorkerMessage);
  return undefined;
});

/**
 * A failure of the wasm module itself: out of heap (a typed array or buffer that cannot be made),
 * or a trap ("memory access out of bounds", "Aborted(OOM)"). After one the module's state is
 * undefined and every later call fails, so the worker reports it as fatal and is replaced.
 */
function isWasmMemoryFailure(e: unknown): boolean {
  if (e instanceof WebAssembly.RuntimeError) return true;
  const message = e instanceof Error ? e.message : String(e);
  return /memory access out of bounds|Aborted\(|out of memory|Invalid typed array length|Array buffer allocation failed|Cannot enlarge memory/i.test(
    message,
  );
}

/**
 * Test-only fault injection (TFJS_DPR_TEST_WORKER_FAULT), so tests can make a worker die or lose
 * its wasm memory in milliseconds instead of allocating gigabytes:
 *   exit-once:FILE      the first worker to get a job creates FILE and exits mid-job
 *   oom-above-rows:R    a job of more than R rows fails as a wasm out-of-memory trap, and the
 *                       worker stays broken afterwards, as a real one does
 */
const FAULT = process.env['TFJS_DPR_TEST_WORKER_FAULT'];
let poisoned = false;

/** True for the one caller that creates `path` (O_EXCL), false for every later one. */
function claimOnce(path: string): boolean {
  try {
    writeFileSync(path, String(threadId), { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

function injectFault(request: EncodeRequest): void {
  if (FAULT === undefined) return;
  const [kind, argument = ''] = FAULT.split(/:(.*)/s);
  if (kind === 'exit-once' && claimOnce(argument)) process.exit(3);
  if (kind === 'oom-above-rows' && request.batch > Number(argument)) poisoned = true;
  if (poisoned) throw new WebAssembly.RuntimeError('memory access out of bounds (injected by TFJS_DPR_TEST_WORKER_FAULT)');
}

port.on('message', async (request: EncodeRequest) => {
  const model = await modelPromise;
  if (model === undefined) return;
  try {
    injectFault(request);
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
    const fatal = isWasmMemoryFailure(e);
    port.postMessage({
      type: 'error',
      id: request.id,
      message: error.message,
      name: error.name,
      ...(fatal ? { fatal } : {}),
    } satisfies WorkerMessage);
  }
});
