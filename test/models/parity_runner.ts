/**
 * Parity against HuggingFace: every model, case and field of the reference, every element.
 * Run by parity_{cpu,wasm}.test.ts (tfjs kernels) and parity_{cpu,wasm}_native.test.ts (the
 * optional native kernels), once per backend and kernel kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  fastMatMulStatus,
  setBackend,
  TFDPRContextEncoder,
  TFDPRQuestionEncoder,
  TFDPRReader,
  unregisterFastMatMul,
} from '../../src/index.js';
import { expectAllClose } from '../helpers/all_close.js';
import { ExpectedFile, referenceModels, type ReferenceModel } from '../helpers/model_cases.js';

export const PARITY_ATOL = 1e-4;

type AnyModel = TFDPRQuestionEncoder | TFDPRContextEncoder | TFDPRReader;

export function loadReferenceModel(model: ReferenceModel, dir = model.dir): Promise<AnyModel> {
  switch (model.kind) {
    case 'question':
      return TFDPRQuestionEncoder.fromPretrained(dir);
    case 'context':
      return TFDPRContextEncoder.fromPretrained(dir);
    case 'reader':
      return TFDPRReader.fromPretrained(dir);
  }
}

/** Stacks a list of tensors into one flat array (HF's stacked hidden_states / attentions). */
function flatten(tensors: tf.Tensor[]): Float32Array {
  const parts = tensors.map((t) => t.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Runs every case of one model directory and asserts every field; returns the worst |diff|. */
export async function checkModelParity(model: ReferenceModel, dir: string, log: (line: string) => void): Promise<number> {
  const net = await loadReferenceModel(model, dir);
  const expected = new ExpectedFile(model.dir);
  let worst = 0;
  try {
    for (const c of model.cases) {
      const inputs: Record<string, number[][]> = {};
      for (const name of c.inputs) inputs[name] = expected.inputMatrix(c.name, name);
      const options = { output_hidden_states: c.fields.includes('hidden_states'), output_attentions: c.fields.includes('attentions') };
      const out = (net as TFDPRReader).call(inputs as never, options) as unknown as Record<string, tf.Tensor | tf.Tensor[]>;
      try {
        for (const field of c.fields) {
          const want = expected.output(c.name, field);
          const got = out[field];
          assert.ok(got !== undefined, `${model.name}/${c.name}: output has no field ${field}`);
          const actual = Array.isArray(got) ? flatten(got) : (got.dataSync() as Float32Array);
          const shape = Array.isArray(got) ? [got.length, ...got[0]!.shape] : got.shape;
          assert.deepEqual(shape, want.shape, `${model.name}/${c.name}/${field}: shape`);
          const report = expectAllClose(actual, want.values as Float32Array, {
            atol: PARITY_ATOL,
            label: `${model.name}/${c.name}/${field}`,
            shape: want.shape,
          });
          log(`${model.name}/${c.name}/${field}: max |diff| ${report.maxAbsDiff.toExponential(2)} over ${report.count} values`);
          worst = Math.max(worst, report.maxAbsDiff);
        }
      } finally {
        tf.dispose(out as unknown as tf.TensorContainer);
      }
    }
  } finally {
    expected.close();
    net.dispose();
  }
  return worst;
}

/**
 * `matmul`: 'tfjs' runs the backend's own kernels; 'native' the optional native GEMM
 * (packages/dpr-gemm), skipped with the reason when it is not built on this machine.
 */
export function defineParityTests(backend: 'wasm' | 'cpu', matmul: 'tfjs' | 'native'): void {
  test(`parity with HuggingFace on the ${backend} backend, ${matmul} matMul`, async (t) => {
    await setBackend(backend);
    assert.equal(tf.getBackend(), backend);
    if (matmul === 'tfjs') unregisterFastMatMul();
    const status = fastMatMulStatus();
    if (matmul === 'native' && !status.registered) {
      t.skip(`native GEMM not available: ${status.reason}`);
      return;
    }
    assert.equal(status.registered, matmul === 'native');
    const models = referenceModels();
    assert.ok(models.length >= 5, `expected the reference models, found ${models.length}`);
    let worst = 0;
    for (const model of models) {
      await t.test(model.name, async (st) => {
        const w = await checkModelParity(model, model.dir, (line) => st.diagnostic(line));
        worst = Math.max(worst, w);
      });
    }
    const kernel = matmul === 'native' ? `native ${status.isa} matMul, GELU and LayerNorm` : 'tfjs kernels';
    const line = `worst max |diff| over all models, cases and fields on ${backend} (${kernel}): ${worst.toExponential(3)} (tolerance ${PARITY_ATOL})`;
    t.diagnostic(line);
    console.log(line);
  });
}
