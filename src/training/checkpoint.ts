/**
 * Training checkpoints: `<checkpoints>/step-000123/` holds both encoders as HuggingFace
 * directories (written by the caller), `optimizer.safetensors` (AdamW's moments `m/<name>`,
 * `v/<name>`, per-parameter step counts in the metadata, and any gradient accumulated since the
 * last update `accum/<name>`), and `trainer_state.json` (where the data stands, the settings that
 * must not change on resume, the loss history). A checkpoint is written into `step-…partial` and
 * renamed into place when complete, so a crash never leaves a half checkpoint under a real name.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { SafetensorsFile, writeSafetensors, type TensorToWrite } from '../io/safetensors.js';
import type { AdamWState } from './adamw.js';
import type { StepRecord, ValidationRecord } from './loss_curve.js';

const TRAINER_STATE_FILE = 'trainer_state.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const STATE_FORMAT = 'tfjs-dpr-training-state';
const STEP_DIR = /^step-(\d+)$/;

export interface TrainerState {
  format: typeof STATE_FORMAT;
  version: 1;
  /** Optimiser updates done. */
  globalStep: number;
  /** Where the next micro-batch comes from. */
  epoch: number;
  iteration: number;
  /** Micro-batches whose gradients are accumulated but not yet applied. */
  pendingMicroBatches: number;
  /** Settings a resumed run must share (data order, schedule, batch composition). */
  settings: Record<string, number | string | boolean>;
  steps: StepRecord[];
  validations: ValidationRecord[];
  /** Sum of the losses of the pending micro-batches. */
  pendingLoss: number;
}

export interface CheckpointContents {
  state: TrainerState;
  optimizer: AdamWState;
  /** Accumulated gradients not yet applied, by parameter name. */
  pending: Map<string, Float32Array>;
}

export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

function f32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * Writes a checkpoint to `dir` atomically. `writeModels(tmpDir)` writes the encoders' directories
 * into the temporary directory first. `shapes` gives each parameter's shape.
 */
export async function writeCheckpoint(
  dir: string,
  contents: CheckpointContents,
  shapes: ReadonlyMap<string, number[]>,
  writeModels: (tmpDir: string) => Promise<void>,
): Promise<void> {
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeModels(tmp);
  const tensors: TensorToWrite[] = [];
  const add = (prefix: string, values: ReadonlyMap<string, Float32Array>) => {
    for (const [name, v] of values)
      tensors.push({ name: `${prefix}/${name}`, dtype: 'F32', shape: shapes.get(name) ?? [v.length], data: f32Bytes(v) });
  };
  add('m', contents.optimizer.m);
  add('v', contents.optimizer.v);
  add('accum', contents.pending);
  writeSafetensors(join(tmp, OPTIMIZER_FILE), tensors, { steps: JSON.stringify(contents.optimizer.steps) });
  writeFileSync(join(tmp, TRAINER_STATE_FILE), JSON.stringify(contents.state));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

export function readCheckpoint(dir: string): CheckpointContents {
  const statePath = join(dir, TRAINER_STATE_FILE);
  if (!existsSync(statePath)) throw new InputError(`${dir} is not a training checkpoint (no ${TRAINER_STATE_FILE}).`);
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as TrainerState;
  if (state.format !== STATE_FORMAT || state.version !== 1) {
    throw new InputError(`${statePath} is not a tfjs-dpr training state of version 1; it cannot be resumed by this version.`);
  }
  const file = SafetensorsFile.open(join(dir, OPTIMIZER_FILE));
  try {
    const optimizer: AdamWState = {
      steps: JSON.parse(file.header.metadata['steps'] ?? '{}') as Record<string, number>,
      m: new Map(),
      v: new Map(),
    };
    const pending = new Map<string, Float32Array>();
    for (const name of file.names) {
      const slash = name.indexOf('/');
      const [kind, param] = [name.slice(0, slash), name.slice(slash + 1)];
      const target = kind === 'm' ? optimizer.m : kind === 'v' ? optimizer.v : kind === 'accum' ? pending : null;
      if (target === null) throw new InputError(`${dir}/${OPTIMIZER_FILE} holds an unexpected tensor "${name}".`);
      target.set(param, file.readFloat32(name));
    }
    return { state, optimizer, pending };
  } finally {
    file.close();
  }
}

/** The complete checkpoint with the most optimiser steps under `checkpointsDir`, or null. */
export function latestCheckpoint(checkpointsDir: string): string | null {
  if (!existsSync(checkpointsDir)) return null;
  let best: { step: number; dir: string } | null = null;
  for (const name of readdirSync(checkpointsDir)) {
    const match = STEP_DIR.exec(name);
    if (match === null || !existsSync(join(checkpointsDir, name, TRAINER_STATE_FILE))) continue;
    const step = Number(match[1]);
    if (best === null || step > best.step) best = { step, dir: join(checkpointsDir, name) };
  }
  return best?.dir ?? null;
}
