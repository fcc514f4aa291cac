/**
 * Parity with the reference DPR training run (../shared/reference/training, computed by HF
 * transformers + PyTorch): the step-0 scores and loss (1e-5), every gradient of both encoders
 * (max(1e-6, 1e-4 · max |that gradient|)), and — through `trainBiEncoder`, i.e. what `dpr train`
 * runs with the run's cli_equivalent flags — every parameter written after the 3 AdamW steps
 * (1e-5; elements whose step-0 gradient is within 1e-7 of 0 within 2 · Σ lr, as the issue explains),
 * plus the losses, learning rates and gradient norms of each step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fastMatMulStatus, setBackend, unregisterFastMatMul } from '../../src/index.js';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { createBiEncoderTexts } from '../../src/training/biencoder_batch.js';
import { loadTrainableEncoder } from '../../src/training/dpr_trainable.js';
import { trainBiEncoder } from '../../src/training/run.js';
import { InMemorySamples } from '../../src/training/training_data.js';
import { microBatchGradients } from '../../src/training/train_step.js';
import { TFDPRQuestionEncoder } from '../../src/models/question_encoder.js';
import { expectAllClose } from '../helpers/all_close.js';
import { loadReferenceRun } from './reference_run.js';

const encoderOf = (name: string) => (name.startsWith('question_encoder.') ? 'question' : 'context');

async function checkStepZero(log: (line: string) => void): Promise<void> {
  const run = loadReferenceRun();
  const question = await loadTrainableEncoder(join(run.dir, 'question_encoder'), 'DPRQuestionEncoder');
  const context = await loadTrainableEncoder(join(run.dir, 'context_encoder'), 'DPRContextEncoder');
  try {
    const samples = new InMemorySamples(run.batch.samples);
    const texts = createBiEncoderTexts(
      [0, 1, 2].map((i) => samples.get(i)),
      { hardNegatives: 1, otherNegatives: 0 },
      null,
    );
    const before = tf.memory().numTensors;
    const result = microBatchGradients(question, context, texts, {
      maxLength: run.batch.max_length,
      training: true,
      dropoutSeed: 1,
      lossDivisor: 1,
    });
    const scores = expectAllClose(result.scores, run.expected.readFloat32('step0/scores'), { atol: 1e-5, label: 'step0/scores' });
    log(`scores: max |diff| ${scores.maxAbsDiff.toExponential(2)}; loss ${result.loss} vs ${run.batch.losses[0]}`);
    assert.ok(Math.abs(result.loss - run.batch.losses[0]!) <= 1e-5, `loss ${result.loss} vs ${run.batch.losses[0]}`);
    const expectedNames = run.expected.names
      .filter((n) => n.startsWith('step0/grad/'))
      .map((n) => n.replace(/^step0\/grad\/(question|context)\//, ''));
    assert.deepEqual([...result.grads.keys()].sort(), expectedNames.sort(), 'a gradient for every parameter the reference has');
    let worstRelative = 0;
    for (const [name, grad] of result.grads) {
      const want = run.expected.readFloat32(`step0/grad/${encoderOf(name)}/${name}`);
      const maxAbs = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const atol = Math.max(1e-6, 1e-4 * maxAbs);
      const report = expectAllClose(await grad.data(), want, { atol, label: `grad ${name}` });
      worstRelative = Math.max(worstRelative, report.maxAbsDiff / atol);
    }
    log(
      `gradients: ${result.grads.size} tensors, worst max |diff| = ${worstRelative.toFixed(3)} of its tolerance max(1e-6, 1e-4 · max |grad|)`,
    );
    tf.dispose([...result.grads.values()]);
    assert.equal(tf.memory().numTensors, before, 'no tensors left behind by a training step');
  } finally {
    question.dispose();
    context.dispose();
    run.expected.close();
  }
}

async function checkThreeSteps(log: (line: string) => void): Promise<void> {
  const run = loadReferenceRun();
  const dir = mkdtempSync(join(tmpdir(), 'dpr-train-parity-'));
  try {
    writeFileSync(join(dir, 'train.json'), JSON.stringify(run.batch.samples));
    const c = run.batch.cli_equivalent;
    const summary = await trainBiEncoder({
      questionModel: join(run.dir, 'question_encoder'),
      contextModel: join(run.dir, 'context_encoder'),
      trainFile: join(dir, 'train.json'),
      outDir: join(dir, 'out'),
      options: {
        batchSize: c['batch_size']!,
        hardNegatives: c['hard_negatives']!,
        otherNegatives: c['other_negatives']!,
        epochs: c['epochs']!,
        lr: c['lr']!,
        warmupSteps: c['warmup_steps']!,
        maxGradNorm: c['max_grad_norm']!,
        weightDecay: c['weight_decay']!,
        maxLength: c['max_length']!,
      },
    });
    expectAllClose(
      summary.steps.map((s) => s.loss),
      run.batch.losses,
      { atol: 1e-5, label: 'losses' },
    );
    expectAllClose(
      summary.steps.map((s) => s.lr),
      run.batch.lrs,
      { atol: 1e-12, label: 'learning rates' },
    );
    expectAllClose(
      summary.steps.map((s) => s.gradNorm),
      run.batch.grad_norms_before_clip,
      { atol: 1e-5, label: 'grad norms before clipping' },
    );
    const bound = 2 * run.batch.lrs.reduce((a, b) => a + b, 0);
    let worst = 0;
    let worstFlat = 0;
    for (const kind of ['question', 'context'] as const) {
      const written = SafetensorsFile.open(join(dir, 'out', `${kind}_encoder`, 'model.safetensors'));
      for (const key of run.expected.names.filter((n) => n.startsWith(`after/${kind}/`))) {
        const name = key.slice(`after/${kind}/`.length);
        const want = run.expected.readFloat32(key);
        const got = written.readFloat32(name);
        const g0 = run.expected.readFloat32(`step0/grad/${kind}/${name}`);
        assert.equal(got.length, want.length, name);
        for (let i = 0; i < want.length; i++) {
          const diff = Math.abs(got[i]! - want[i]!);
          const flat = Math.abs(g0[i]!) < 1e-7;
          if (flat) worstFlat = Math.max(worstFlat, diff);
          else worst = Math.max(worst, diff);
          assert.ok(diff <= (flat ? bound : 1e-5), `${name}[${i}]: ${got[i]} vs ${want[i]} (|g0| ${Math.abs(g0[i]!)})`);
        }
      }
      written.close();
    }
    log(
      `parameters after 3 steps: max |diff| ${worst.toExponential(2)} (|g0| ≥ 1e-7), ${worstFlat.toExponential(2)} where |g0| < 1e-7 (bound ${bound})`,
    );
    // The written directory loads back unchanged.
    const reloaded = await TFDPRQuestionEncoder.fromPretrained(join(dir, 'out', 'question_encoder'));
    assert.equal(reloaded.config.architectures?.[0], 'DPRQuestionEncoder');
    reloaded.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    run.expected.close();
  }
}

export function defineTrainingParityTests(backend: 'wasm' | 'cpu', matmul: 'tfjs' | 'native'): void {
  test(`training parity with the DPR reference run on ${backend}, ${matmul} kernels`, async (t) => {
    await setBackend(backend);
    if (matmul === 'tfjs') unregisterFastMatMul();
    const status = fastMatMulStatus();
    if (matmul === 'native' && !status.registered) {
      t.skip(`native kernels not available: ${status.reason}`);
      return;
    }
    const log = (line: string) => {
      t.diagnostic(line);
      console.log(`[${backend}/${matmul}] ${line}`);
    };
    await checkStepZero(log);
    await checkThreeSteps(log);
  });
}
