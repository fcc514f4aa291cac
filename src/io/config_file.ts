/**
 * Writing a model directory's `config.json` (reading it is `loadConfig` in src/config.ts): the
 * text HF's `save_pretrained` would write for the same values, written atomically.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DPRConfig } from '../config.js';
import { writeFileAtomic } from './atomic_file.js';
import { CONFIG_FILE } from './model_files.js';

/** Writes `dir/config.json`, creating `dir` if needed. */
export function saveConfigFile(dir: string, config: DPRConfig): void {
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, CONFIG_FILE), config.toJSONString());
}
