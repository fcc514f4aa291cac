/**
 * `dpr train --question-model Q --context-model C --train FILE.json --out DIR [options]`: fine-tunes a
 * DPR question/context encoder pair on DPR's training format exactly as facebookresearch/DPR's
 * train_dense_encoder.py does (src/training). Flags map one to one onto TrainingOptions; the
 * defaults are DPR's NQ settings.
 */
import { trainBiEncoder, type TrainingEvent } from '../../training/index.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from '../args.js';

export const SPEC: CommandSpec = {
  name: 'dpr train',
  summary:
    'Fine-tune a DPR question and context encoder pair with in-batch and hard negatives (DPR BiEncoderNllLoss, AdamW, linear warmup schedule). ' +
    'Writes DIR/question_encoder and DIR/context_encoder (HF directories), checkpoints under DIR/checkpoints, loss.csv, validation.csv and loss.svg.',
  usage: '--question-model Q --context-model C --train FILE.json --out DIR [options]',
  options: {
    'question-model': {
      type: 'string',
      required: true,
      value: 'Q',
      description: 'question encoder to start from: a directory or a hub id',
    },
    'context-model': { type: 'string', required: true, value: 'C', description: 'context encoder to start from: a directory or a hub id' },
    train: {
      type: 'string',
      required: true,
      value: 'FILE',
      description: "DPR's training JSON: a list of {question, answers, positive_ctxs, negative_ctxs, hard_negative_ctxs} (streamed)",
    },
    dev: { type: 'string', value: 'FILE', description: 'dev set in the same format: average rank and NLL after each epoch' },
    out: { type: 'string', required: true, value: 'DIR', description: 'output directory' },
    'batch-size': { type: 'integer', min: 1, default: 16, value: 'N', description: 'questions per micro-batch' },
    'hard-negatives': { type: 'integer', min: 0, default: 1, value: 'N', description: 'hard negatives per question' },
    'other-negatives': { type: 'integer', min: 0, default: 0, value: 'N', description: 'other negatives per question' },
    epochs: { type: 'integer', min: 1, default: 40, value: 'N', description: 'passes over the training data' },
    lr: { type: 'number', min: 0, default: 2e-5, value: 'X', description: 'peak learning rate (AdamW)' },
    'warmup-steps': { type: 'integer', min: 0, default: 1237, value: 'N', description: 'linear warmup updates' },
    'max-grad-norm': {
      type: 'number',
      min: 0,
      default: 2.0,
      value: 'X',
      description: 'clip the gradient norm of both encoders together (0: off)',
    },
    'weight-decay': {
      type: 'number',
      min: 0,
      default: 0.0,
      value: 'X',
      description: 'AdamW weight decay (never on biases and LayerNorm weights)',
    },
    'grad-accumulation': {
      type: 'integer',
      min: 1,
      default: 1,
      value: 'N',
      description: 'micro-batches per update (effective batch = batch size × N)',
    },
    'max-length': { type: 'integer', min: 2, default: 256, value: 'N', description: 'token limit of questions and passages' },
    seed: { type: 'integer', min: 0, default: 42, value: 'N', description: 'seeds data order, negative sampling and dropout' },
    'no-shuffle': { type: 'boolean', description: "keep file order and the negatives' order" },
    'checkpoint-every': {
      type: 'integer',
      min: 0,
      default: 0,
      value: 'N',
      description: 'also checkpoint every N updates (always at each epoch end)',
    },
    resume: { type: 'boolean', description: 'continue from the latest checkpoint in DIR/checkpoints' },
  },
  epilog:
    'example:\n  dpr train --question-model facebook/dpr-question_encoder-single-nq-base --context-model facebook/dpr-ctx_encoder-single-nq-base \\\n' +
    '            --train my-train.json --dev my-dev.json --out ./finetuned --batch-size 16 --grad-accumulation 8 --epochs 5',
};

/** One stderr line per event (redrawn in place on a terminal for steps). */
function reporter(stream: NodeJS.WriteStream = process.stderr): (event: TrainingEvent) => void {
  const tty = stream.isTTY === true;
  let lastLogged = -Infinity;
  return (event) => {
    if (event.type === 'step') {
      const line =
        `epoch ${event.epoch + 1} batch ${event.iteration + 1}/${event.batchesPerEpoch}  step ${event.step + 1}/${event.totalSteps}  ` +
        `loss ${event.loss.toFixed(4)}  lr ${event.lr.toExponential(2)}  ${event.passagesPerSecond.toFixed(1)} passages/s`;
      if (tty) stream.write(`\r${line}\x1b[K`);
      else if (event.step - lastLogged >= 10 || event.step + 1 === event.totalSteps) {
        stream.write(`${line}\n`);
        lastLogged = event.step;
      }
    } else if (event.type === 'validation') {
      stream.write(
        `${tty ? '\n' : ''}dev after epoch ${event.epoch + 1}: average rank ${event.averageRank.toFixed(2)}, NLL ${event.nll.toFixed(4)}\n`,
      );
    } else {
      stream.write(`${tty ? '\n' : ''}checkpoint ${event.dir}\n`);
    }
  };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  const out = str(args, 'out')!;
  const dev = str(args, 'dev');
  const summary = await trainBiEncoder({
    questionModel: str(args, 'question-model')!,
    contextModel: str(args, 'context-model')!,
    trainFile: str(args, 'train')!,
    ...(dev !== undefined ? { devFile: dev } : {}),
    outDir: out,
    resume: flag(args, 'resume'),
    onEvent: reporter(),
    options: {
      batchSize: num(args, 'batch-size')!,
      hardNegatives: num(args, 'hard-negatives')!,
      otherNegatives: num(args, 'other-negatives')!,
      epochs: num(args, 'epochs')!,
      lr: num(args, 'lr')!,
      warmupSteps: num(args, 'warmup-steps')!,
      maxGradNorm: num(args, 'max-grad-norm')!,
      weightDecay: num(args, 'weight-decay')!,
      gradAccumulation: num(args, 'grad-accumulation')!,
      maxLength: num(args, 'max-length')!,
      seed: num(args, 'seed')!,
      shuffle: !flag(args, 'no-shuffle'),
      checkpointEvery: num(args, 'checkpoint-every')!,
    },
  });
  const last = summary.steps[summary.steps.length - 1];
  process.stderr.write(
    `trained ${summary.globalStep} updates${last !== undefined ? `, last loss ${last.loss.toFixed(4)}` : ''}; encoders in ${out}/question_encoder and ${out}/context_encoder\n`,
  );
  return 0;
}
