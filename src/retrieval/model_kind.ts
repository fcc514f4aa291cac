/**
 * Which DPR model a `--model` argument names, read from its config.json before any weights are
 * loaded, so a command given the wrong kind of model fails at once with a message that says which
 * model it needs.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { architectureOf, loadConfig, type DPRArchitecture, type DPRConfig } from '../config.js';
import { ConfigError, InputError } from '../errors.js';

const WHAT: Record<DPRArchitecture, string> = {
  DPRQuestionEncoder: 'a question encoder (DPRQuestionEncoder)',
  DPRContextEncoder: 'a context encoder (DPRContextEncoder)',
  DPRReader: 'a reader (DPRReader)',
};

export interface ModelInfo {
  /** The model argument, as given (a directory). */
  model: string;
  config: DPRConfig;
  architecture: DPRArchitecture;
}

/**
 * Reads `model/config.json` and checks the architecture is one of `accepted`. `option` names the
 * flag in messages (e.g. "--model").
 */
export function inspectModel(model: string, accepted: readonly DPRArchitecture[], option = '--model'): ModelInfo {
  if (!existsSync(model)) {
    throw new InputError(`${option} ${model}: no such directory; give a directory holding config.json, vocab.txt and model.safetensors.`);
  }
  if (!statSync(model).isDirectory()) {
    throw new InputError(`${option} ${model} is a file; give the model's directory (holding config.json, vocab.txt and model.safetensors).`);
  }
  for (const file of ['config.json', 'model.safetensors', 'vocab.txt']) {
    if (!existsSync(join(model, file))) {
      throw new InputError(`${option} ${model} has no ${file}; a DPR model directory needs config.json, vocab.txt and model.safetensors (convert a pytorch_model.bin checkpoint first).`);
    }
  }
  const config = loadConfig(model);
  const architecture = architectureOf(config);
  if (architecture === undefined) {
    throw new ConfigError(
      `${join(model, 'config.json')} names no DPR architecture (its "architectures" is ${JSON.stringify(config.architectures ?? null)}); ` +
        `expected ${accepted.map((a) => WHAT[a]).join(' or ')}.`,
    );
  }
  if (!accepted.includes(architecture)) {
    throw new InputError(`${option} ${model} is ${WHAT[architecture]}, but this command needs ${accepted.map((a) => WHAT[a]).join(' or ')}.`);
  }
  return { model, config, architecture };
}
