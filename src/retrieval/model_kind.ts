/**
 * Which DPR model a `model` argument names, read from its config.json before any weights are
 * loaded, so a command given the wrong kind of model fails at once with a message that says which
 * model it needs.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { architectureOf, loadConfig, type DPRArchitecture, type DPRConfig } from '../config.js';
import { ConfigError, InputError } from '../errors.js';
import type { DownloadProgress } from '../hub/options.js';
import { looksLikePath, resolvePretrained } from '../hub/resolve.js';
import { CONFIG_FILE, MODEL_FILES, PYTORCH_WEIGHTS, SAFETENSORS_WEIGHTS, TOKENIZER_FILES } from '../io/model_files.js';

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

export interface ResolveModelOptions {
  /** The API option that gave the model, named in error messages (default "model"). */
  option?: string;
  /** Download (and conversion) progress while a hub id is fetched into the cache. */
  onProgress?: (event: DownloadProgress) => void;
}

/**
 * Reads `model/config.json` and checks the architecture is one of `accepted`. `optionName` names
 * the API option in messages, in backquotes (`` `model` ``), so a front end can put its own name.
 */
export function inspectModel(model: string, accepted: readonly DPRArchitecture[], optionName = 'model'): ModelInfo {
  const option = `\`${optionName}\``;
  if (!existsSync(model)) {
    throw new InputError(
      `${option} ${model}: no such directory; give a directory holding config.json, vocab.txt and model.safetensors, or a hub id such as facebook/dpr-reader-single-nq-base.`,
    );
  }
  if (!statSync(model).isDirectory()) {
    throw new InputError(
      `${option} ${model} is a file; give the model's directory (holding config.json, vocab.txt and model.safetensors).`,
    );
  }
  for (const file of [CONFIG_FILE, ...TOKENIZER_FILES.required]) {
    if (!existsSync(join(model, file))) {
      throw new InputError(
        `${option} ${model} has no ${file}; a DPR model directory needs config.json, vocab.txt and model.safetensors (or pytorch_model.bin).`,
      );
    }
  }
  if (!existsSync(join(model, SAFETENSORS_WEIGHTS)) && !existsSync(join(model, PYTORCH_WEIGHTS))) {
    throw new InputError(
      `${option} ${model} has no weights; a DPR model directory needs model.safetensors or pytorch_model.bin beside config.json.`,
    );
  }
  const config = loadConfig(model);
  const architecture = architectureOf(config);
  if (architecture === undefined) {
    throw new ConfigError(
      `${join(model, CONFIG_FILE)} names no DPR architecture (its "architectures" is ${JSON.stringify(config.architectures ?? null)}); ` +
        `expected ${accepted.map((a) => WHAT[a]).join(' or ')}.`,
    );
  }
  if (!accepted.includes(architecture)) {
    throw new InputError(`${option} ${model} is ${WHAT[architecture]}; ${option} must be ${accepted.map((a) => WHAT[a]).join(' or ')}.`);
  }
  return { model, config, architecture };
}

/**
 * `inspectModel` for a directory or a HuggingFace hub id: a hub id is first resolved to its cache
 * snapshot (config, tokenizer files and weights downloaded as needed, reported to
 * `options.onProgress`). The returned `model` is the local directory.
 */
export async function resolveModel(
  model: string,
  accepted: readonly DPRArchitecture[],
  options: ResolveModelOptions = {},
): Promise<ModelInfo> {
  const dir =
    existsSync(model) || looksLikePath(model)
      ? model
      : await resolvePretrained(model, {
          files: { required: [...MODEL_FILES.required, ...TOKENIZER_FILES.required], optional: TOKENIZER_FILES.optional },
          weights: true,
          ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
        });
  return inspectModel(dir, accepted, options.option);
}
