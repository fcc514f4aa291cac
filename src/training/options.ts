/**
 * The trainer's options: DPR's knobs (conf/train/biencoder_nq.yaml defaults, the seed the issue
 * asks for), checked once before training starts.
 */
import { InputError } from '../errors.js';

export interface TrainingOptions {
  batchSize: number;
  hardNegatives: number;
  otherNegatives: number;
  epochs: number;
  lr: number;
  warmupSteps: number;
  /** 0 turns clipping off. */
  maxGradNorm: number;
  weightDecay: number;
  gradAccumulation: number;
  maxLength: number;
  seed: number;
  shuffle: boolean;
  adamEps: number;
  adamBetas: [number, number];
  /** Write a checkpoint every N optimiser steps (0: only at epoch ends). */
  checkpointEvery: number;
  /** Dev batches for NLL validation (DPR dev_batch_size). */
  devBatchSize: number;
  /** Negatives per dev question in the average-rank validation (DPR val_av_rank_hard_neg / _other_neg). */
  validationHardNegatives: number;
  validationOtherNegatives: number;
  /** At most this many dev questions in the average-rank validation (DPR val_av_rank_max_qs). */
  validationMaxQuestions: number;
  /** Token type ids of title/text rows: 'pair' as the HF tokenizer (default), 'zeros' as DPR's trainer. */
  contextTokenTypes: 'pair' | 'zeros';
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  batchSize: 16,
  hardNegatives: 1,
  otherNegatives: 0,
  epochs: 40,
  lr: 2e-5,
  warmupSteps: 1237,
  maxGradNorm: 2.0,
  weightDecay: 0.0,
  gradAccumulation: 1,
  maxLength: 256,
  seed: 42,
  shuffle: true,
  adamEps: 1e-8,
  adamBetas: [0.9, 0.999],
  checkpointEvery: 0,
  devBatchSize: 64,
  validationHardNegatives: 30,
  validationOtherNegatives: 30,
  validationMaxQuestions: 10000,
  contextTokenTypes: 'pair',
};

const INTEGER_MIN: [keyof TrainingOptions, number][] = [
  ['batchSize', 1],
  ['hardNegatives', 0],
  ['otherNegatives', 0],
  ['epochs', 1],
  ['warmupSteps', 0],
  ['gradAccumulation', 1],
  ['maxLength', 2],
  ['seed', 0],
  ['checkpointEvery', 0],
  ['devBatchSize', 1],
  ['validationHardNegatives', 0],
  ['validationOtherNegatives', 0],
  ['validationMaxQuestions', 1],
];

/** Defaults filled in and every value checked (InputError naming the option). */
export function resolveTrainingOptions(options: Partial<TrainingOptions> = {}): TrainingOptions {
  const resolved: TrainingOptions = { ...DEFAULT_TRAINING_OPTIONS, ...options };
  for (const [key, min] of INTEGER_MIN) {
    const v = resolved[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      throw new InputError(`${key} must be an integer ≥ ${min}, found ${String(v)}.`);
  }
  for (const key of ['lr', 'maxGradNorm', 'weightDecay', 'adamEps'] as const) {
    const v = resolved[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new InputError(`${key} must be a finite number ≥ 0, found ${String(v)}.`);
  }
  const [b1, b2] = resolved.adamBetas;
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new InputError(`adamBetas must both lie in [0, 1), found [${b1}, ${b2}].`);
  if (resolved.contextTokenTypes !== 'pair' && resolved.contextTokenTypes !== 'zeros') {
    throw new InputError(`contextTokenTypes must be 'pair' or 'zeros', found ${String(resolved.contextTokenTypes)}.`);
  }
  return resolved;
}

/** The options a resumed run must share with the run that wrote the checkpoint. */
export function resumeFingerprint(o: TrainingOptions, trainSamples: number): Record<string, number | string | boolean> {
  return {
    trainSamples,
    batchSize: o.batchSize,
    hardNegatives: o.hardNegatives,
    otherNegatives: o.otherNegatives,
    epochs: o.epochs,
    lr: o.lr,
    warmupSteps: o.warmupSteps,
    maxGradNorm: o.maxGradNorm,
    weightDecay: o.weightDecay,
    gradAccumulation: o.gradAccumulation,
    maxLength: o.maxLength,
    seed: o.seed,
    shuffle: o.shuffle,
    adamEps: o.adamEps,
    adamBeta1: o.adamBetas[0],
    adamBeta2: o.adamBetas[1],
    contextTokenTypes: o.contextTokenTypes,
  };
}
