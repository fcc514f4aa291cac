/**
 * The reference DPR training run (../shared/reference/training, README "training/"): its settings,
 * samples and the tensors of expected.safetensors.
 */
import { readFileSync } from 'node:fs';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { referencePath } from '../helpers/reference.js';

export interface ReferenceRun {
  dir: string;
  batch: {
    samples: unknown[];
    max_length: number;
    optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number };
    schedule: { warmup_steps: number; total_steps: number };
    max_grad_norm: number;
    steps: number;
    cli_equivalent: Record<string, number>;
    losses: number[];
    lrs: number[];
    grad_norms_before_clip: number[];
  };
  expected: SafetensorsFile;
}

export function loadReferenceRun(): ReferenceRun {
  const dir = referencePath('training');
  const batch = JSON.parse(readFileSync(`${dir}/batch.json`, 'utf8')) as ReferenceRun['batch'];
  return { dir, batch, expected: SafetensorsFile.open(`${dir}/expected.safetensors`) };
}

/** An integer matrix of expected.safetensors as rows. */
export function readRows(file: SafetensorsFile, name: string): number[][] {
  const [rows, cols] = file.info(name).shape as [number, number];
  const flat = Array.from(file.readIntegers(name));
  return Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
}
