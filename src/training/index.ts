/**
 * Training and fine-tuning DPR encoders exactly as facebookresearch/DPR trains them.
 */
export { trainBiEncoder, QUESTION_ENCODER_DIR, CONTEXT_ENCODER_DIR, type TrainBiEncoderOptions } from './run.js';
export { BiEncoderTrainer, type TrainingEvent, type TrainRunOptions, type TrainingSummary } from './trainer.js';
export { DEFAULT_TRAINING_OPTIONS, resolveTrainingOptions, type TrainingOptions } from './options.js';
export { DPRTrainableEncoder, loadTrainableEncoder, type EncoderArchitecture } from './dpr_trainable.js';
export type { TrainableEncoder, ForwardOptions } from './encoder_pair.js';
export { TrainingFile, InMemorySamples, type DprSample, type DprContext, type SampleSource } from './training_data.js';
export { biEncoderNllLoss, countCorrect, type BiEncoderLoss } from './loss.js';
export { AdamW, dprNoDecay, type AdamWOptions, type AdamWState } from './adamw.js';
export { linearScheduleFactor, linearScheduleLr } from './schedule.js';
export { clipGradNorm } from './clip.js';
export { createBiEncoderTexts, tokenizeQuestions, tokenizeContexts, type BiEncoderTexts, type TokenRows } from './biencoder_batch.js';
export { readCheckpoint, latestCheckpoint, type CheckpointContents } from './checkpoint.js';
export { validateBiEncoder, type ValidationResult } from './validate.js';
export { registerTrainingGradients } from './gradients.js';
export { PythonRandom } from './python_random.js';
