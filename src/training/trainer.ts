/**
 * DPR's `BiEncoderTrainer` (train_dense_encoder.py) for one process: epochs over the training
 * samples in DPR's order, micro-batches built as `create_biencoder_input`, gradient accumulation
 * and clipping as DPR, AdamW with DPR's linear schedule (total = ⌊batches per epoch / accumulation⌋
 * × epochs), validation and a checkpoint at each epoch end (and every `checkpointEvery` updates),
 * and a checkpoint holds everything a resumed run needs to continue exactly.
 *
 * Memory: one micro-batch's activations, both encoders' parameters, gradients and Adam moments.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors.js';
import { AdamW } from './adamw.js';
import { createBiEncoderTexts } from './biencoder_batch.js';
import { checkpointDirName, writeCheckpoint, type CheckpointContents, type TrainerState } from './checkpoint.js';
import { batchesPerEpoch, batchPositions, epochOrder, negativesRandom } from './data_order.js';
import type { TrainableEncoder } from './encoder_pair.js';
import { lossCurveSvg, stepsCsv, validationCsv, type StepRecord, type ValidationRecord } from './loss_curve.js';
import { resolveTrainingOptions, resumeFingerprint, type TrainingOptions } from './options.js';
import { linearScheduleLr } from './schedule.js';
import type { SampleSource } from './training_data.js';
import { GradientAccumulator, jointParameters, microBatchGradients } from './train_step.js';
import { validateBiEncoder, type ValidationResult } from './validate.js';

export type TrainingEvent =
  | {
      type: 'step';
      epoch: number;
      iteration: number;
      batchesPerEpoch: number;
      step: number;
      totalSteps: number;
      loss: number;
      lr: number;
      gradNorm: number;
      passagesPerSecond: number;
    }
  | { type: 'validation'; epoch: number; step: number; nll: number; averageRank: number }
  | { type: 'checkpoint'; step: number; dir: string };

export interface TrainRunOptions {
  /** Where checkpoints (`checkpoints/step-…`), loss.csv, validation.csv and loss.svg go; none written without it. */
  outDir?: string;
  /** A checkpoint to continue from (readCheckpoint); the encoders must already hold its weights. */
  resume?: CheckpointContents;
  onEvent?: (event: TrainingEvent) => void;
}

export interface TrainingSummary {
  steps: StepRecord[];
  validations: ValidationRecord[];
  globalStep: number;
}

/** Dropout seed of a micro-batch: a pure function of the position, so a resumed run draws the same masks. */
function dropoutSeedFor(seed: number, epoch: number, iteration: number): number {
  return (seed * 1000003 + epoch * 100003 + iteration) % 2147483647;
}

export class BiEncoderTrainer {
  readonly options: TrainingOptions;
  readonly batchesPerEpoch: number;
  readonly totalSteps: number;
  private readonly params: Map<string, tf.Variable>;
  private readonly shapes: Map<string, number[]>;
  private readonly optimizer: AdamW;
  private readonly accumulator: GradientAccumulator;
  private state: TrainerState;

  constructor(
    readonly question: TrainableEncoder,
    readonly context: TrainableEncoder,
    readonly trainSamples: SampleSource,
    options: Partial<TrainingOptions> = {},
    readonly devSamples: SampleSource | null = null,
  ) {
    this.options = resolveTrainingOptions(options);
    const o = this.options;
    this.batchesPerEpoch = batchesPerEpoch(trainSamples.size, o.batchSize);
    if (this.batchesPerEpoch === 0) {
      throw new InputError(
        `batchSize ${o.batchSize} is larger than the ${trainSamples.size} training samples; use a batch size of at most ${trainSamples.size}.`,
      );
    }
    this.totalSteps = Math.floor(this.batchesPerEpoch / o.gradAccumulation) * o.epochs;
    this.params = jointParameters(question, context);
    this.shapes = new Map([...this.params].map(([n, v]) => [n, v.shape]));
    this.optimizer = new AdamW(this.params, { betas: o.adamBetas, eps: o.adamEps, weightDecay: o.weightDecay });
    this.accumulator = new GradientAccumulator(o.maxGradNorm);
    this.state = {
      format: 'tfjs-dpr-training-state',
      version: 1,
      globalStep: 0,
      epoch: 0,
      iteration: 0,
      pendingMicroBatches: 0,
      pendingLoss: 0,
      settings: resumeFingerprint(o, trainSamples.size),
      steps: [],
      validations: [],
    };
  }

  /** Continues from a checkpoint's optimiser state, accumulated gradients and data position. */
  private restore(resume: CheckpointContents): void {
    const expected = this.state.settings;
    for (const [key, value] of Object.entries(expected)) {
      if (resume.state.settings[key] !== value) {
        throw new InputError(
          `cannot resume: the checkpoint was trained with ${key} = ${String(resume.state.settings[key])}, this run has ${String(value)}; use the same settings.`,
        );
      }
    }
    this.optimizer.importState(resume.optimizer);
    this.accumulator.restore(resume.pending, this.shapes, resume.state.pendingMicroBatches);
    this.state = structuredClone(resume.state);
  }

  async train(run: TrainRunOptions = {}): Promise<TrainingSummary> {
    if (run.resume !== undefined) this.restore(run.resume);
    const o = this.options;
    for (let epoch = this.state.epoch; epoch < o.epochs; epoch++) {
      const order = epochOrder(this.trainSamples.size, epoch, o);
      for (let iteration = epoch === this.state.epoch ? this.state.iteration : 0; iteration < this.batchesPerEpoch; iteration++) {
        const stepped = this.microBatch(order, epoch, iteration, run);
        this.state.epoch = epoch;
        this.state.iteration = iteration + 1;
        if (stepped && o.checkpointEvery > 0 && this.state.globalStep % o.checkpointEvery === 0) await this.checkpoint(run);
      }
      this.state.epoch = epoch + 1;
      this.state.iteration = 0;
      if (this.devSamples !== null) await this.recordValidation(epoch, run);
      await this.checkpoint(run);
    }
    return { steps: this.state.steps, validations: this.state.validations, globalStep: this.state.globalStep };
  }

  /** One micro-batch; true when it completed an optimiser update. */
  private microBatch(order: number[], epoch: number, iteration: number, run: TrainRunOptions): boolean {
    const o = this.options;
    const started = performance.now();
    const samples = batchPositions(order, iteration, o.batchSize).map((p) => this.trainSamples.get(p));
    const texts = createBiEncoderTexts(samples, o, negativesRandom(epoch, iteration, o));
    const result = microBatchGradients(this.question, this.context, texts, {
      maxLength: o.maxLength,
      contextTokenTypes: o.contextTokenTypes,
      training: true,
      dropoutSeed: dropoutSeedFor(o.seed, epoch, iteration),
      lossDivisor: o.gradAccumulation,
    });
    this.accumulator.add(result.grads);
    this.state.pendingLoss += result.loss;
    if ((iteration + 1) % o.gradAccumulation !== 0) {
      this.state.pendingMicroBatches = this.accumulator.count;
      return false;
    }
    const step = this.state.globalStep;
    const lr = linearScheduleLr(o.lr, step, o.warmupSteps, this.totalSteps);
    const gradNorm = this.accumulator.lastNorm;
    const loss = this.state.pendingLoss / this.accumulator.count;
    this.accumulator.step(this.optimizer, lr);
    this.state.steps.push({ step, epoch, loss, lr, gradNorm });
    this.state.globalStep = step + 1;
    this.state.pendingLoss = 0;
    this.state.pendingMicroBatches = 0;
    const seconds = (performance.now() - started) / 1000;
    run.onEvent?.({
      type: 'step',
      epoch,
      iteration,
      batchesPerEpoch: this.batchesPerEpoch,
      step,
      totalSteps: this.totalSteps,
      loss,
      lr,
      gradNorm,
      passagesPerSecond: result.passages / seconds,
    });
    return true;
  }

  /** DPR's dev metrics with the current weights (dropout off). */
  validate(): ValidationResult {
    if (this.devSamples === null) throw new InputError('no dev samples were given to the trainer; pass dev samples to validate.');
    return validateBiEncoder(this.question, this.context, this.devSamples, this.options);
  }

  private async recordValidation(epoch: number, run: TrainRunOptions): Promise<void> {
    const { nll, averageRank } = this.validate();
    const record = { step: this.state.globalStep, epoch, nll, averageRank };
    this.state.validations.push(record);
    run.onEvent?.({ type: 'validation', ...record });
  }

  private async checkpoint(run: TrainRunOptions): Promise<void> {
    if (run.outDir === undefined) return;
    const dir = join(run.outDir, 'checkpoints', checkpointDirName(this.state.globalStep));
    mkdirSync(join(run.outDir, 'checkpoints'), { recursive: true });
    const contents: CheckpointContents = {
      state: this.state,
      optimizer: await this.optimizer.exportState(),
      pending: await this.accumulator.export(),
    };
    await writeCheckpoint(dir, contents, this.shapes, async (tmp) => {
      await this.question.save(join(tmp, 'question_encoder'));
      await this.context.save(join(tmp, 'context_encoder'));
    });
    this.writeRecord(run.outDir);
    run.onEvent?.({ type: 'checkpoint', step: this.state.globalStep, dir });
  }

  /** loss.csv, validation.csv and loss.svg in `outDir`. */
  writeRecord(outDir: string): void {
    writeFileSync(join(outDir, 'loss.csv'), stepsCsv(this.state.steps));
    writeFileSync(join(outDir, 'validation.csv'), validationCsv(this.state.validations));
    writeFileSync(join(outDir, 'loss.svg'), lossCurveSvg(this.state.steps, this.state.validations));
  }

  dispose(): void {
    this.optimizer.dispose();
    this.accumulator.reset();
  }
}
