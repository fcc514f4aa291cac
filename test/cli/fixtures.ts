/**
 * Test fixtures for the retrieval CLI. The reference checkpoints hold no question / context
 * encoder pair of the same width (the question encoder gives 32 values, the context encoder 16),
 * so for search tests a question encoder is derived from `context_encoder_proj`: the same weights
 * under HF's `question_encoder.` prefix and `architectures: ["DPRQuestionEncoder"]`. HF would load
 * that directory as a DPRQuestionEncoder computing exactly the context encoder's function.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsFile, writeSafetensors } from '../../src/io/safetensors.js';
import { referencePath } from '../helpers/reference.js';

export const CONTEXT_MODEL = (): string => referencePath('models', 'context_encoder_proj');
export const QUESTION_MODEL = (): string => referencePath('models', 'question_encoder');
export const READER_MODEL = (): string => referencePath('models', 'reader');

export function tempDir(prefix = 'dpr-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a DPRQuestionEncoder directory with context_encoder_proj's weights; returns its path. */
export function pairedQuestionEncoder(parent: string): string {
  const source = CONTEXT_MODEL();
  const dir = join(parent, 'paired_question_encoder');
  mkdirSync(dir, { recursive: true });
  const config = JSON.parse(readFileSync(join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
  config['architectures'] = ['DPRQuestionEncoder'];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const tokenizerConfig = JSON.parse(readFileSync(join(source, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  tokenizerConfig['tokenizer_class'] = 'DPRQuestionEncoderTokenizer';
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  for (const file of ['vocab.txt', 'special_tokens_map.json']) copyFileSync(join(source, file), join(dir, file));
  const weights = SafetensorsFile.open(join(source, 'model.safetensors'));
  try {
    writeSafetensors(
      join(dir, 'model.safetensors'),
      weights.names.map((name) => {
        const info = weights.info(name);
        return {
          name: name.replace(/^ctx_encoder\./, 'question_encoder.'),
          dtype: info.dtype,
          shape: [...info.shape],
          data: weights.readBytes(name),
        };
      }),
    );
  } finally {
    weights.close();
  }
  return dir;
}
