/**
 * The whole job behind `dpr train`: load both encoders (from a checkpoint when resuming), stream
 * the training file, train, and write the final encoders as HuggingFace directories.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { latestCheckpoint, readCheckpoint, type CheckpointContents } from './checkpoint.js';
import { loadTrainableEncoder } from './dpr_trainable.js';
import type { TrainingOptions } from './options.js';
import { BiEncoderTrainer, type TrainingEvent, type TrainingSummary } from './trainer.js';
import { TrainingFile } from './training_data.js';

export interface TrainBiEncoderOptions {
  /** Directory or hub id of the question encoder to start from. */
  questionModel: string;
  contextModel: string;
  /** DPR training JSON (a list of samples), streamed. */
  trainFile: string;
  devFile?: string;
  /** Receives question_encoder/, context_encoder/, checkpoints/, loss.csv, validation.csv, loss.svg. */
  outDir: string;
  /** Continue from the latest checkpoint under outDir/checkpoints (an error when there is none). */
  resume?: boolean;
  options?: Partial<TrainingOptions>;
  onEvent?: (event: TrainingEvent) => void;
}

export const QUESTION_ENCODER_DIR = 'question_encoder';
export const CONTEXT_ENCODER_DIR = 'context_encoder';

export async function trainBiEncoder(job: TrainBiEncoderOptions): Promise<TrainingSummary> {
  let resume: CheckpointContents | undefined;
  let questionSource = job.questionModel;
  let contextSource = job.contextModel;
  if (job.resume === true) {
    const dir = latestCheckpoint(join(job.outDir, 'checkpoints'));
    if (dir === null)
      throw new InputError(
        `resume was asked for, but ${join(job.outDir, 'checkpoints')} holds no complete checkpoint; start without resume.`,
      );
    resume = readCheckpoint(dir);
    questionSource = join(dir, QUESTION_ENCODER_DIR);
    contextSource = join(dir, CONTEXT_ENCODER_DIR);
  }
  const question = await loadTrainableEncoder(questionSource, 'DPRQuestionEncoder');
  const context = await loadTrainableEncoder(contextSource, 'DPRContextEncoder');
  const train = TrainingFile.open(job.trainFile);
  const dev = job.devFile !== undefined ? TrainingFile.open(job.devFile) : null;
  const trainer = new BiEncoderTrainer(question, context, train, job.options ?? {}, dev);
  try {
    const summary = await trainer.train({
      outDir: job.outDir,
      ...(resume !== undefined ? { resume } : {}),
      ...(job.onEvent ? { onEvent: job.onEvent } : {}),
    });
    for (const [encoder, name] of [
      [question, QUESTION_ENCODER_DIR],
      [context, CONTEXT_ENCODER_DIR],
    ] as const) {
      const target = join(job.outDir, name);
      const tmp = `${target}.partial`;
      rmSync(tmp, { recursive: true, force: true });
      await encoder.save(tmp);
      rmSync(target, { recursive: true, force: true });
      renameSync(tmp, target);
    }
    trainer.writeRecord(job.outDir);
    return summary;
  } finally {
    trainer.dispose();
    question.dispose();
    context.dispose();
    train.close();
    dev?.close();
  }
}
