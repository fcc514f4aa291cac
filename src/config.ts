/**
 * DPRConfig: HuggingFace's `DPRConfig` (transformers/models/dpr/configuration_dpr.py) with the
 * same snake_case keys and defaults, validated once when it is made (so before any model is built).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import type { PretrainedOptions } from './hub/options.js';
import { pythonJsonText } from './io/python_json.js';
import { ACTIVATION_NAMES } from './layers/activations.js';

export type PositionEmbeddingType = 'absolute' | 'relative_key' | 'relative_key_query';
export const POSITION_EMBEDDING_TYPES: readonly PositionEmbeddingType[] = ['absolute', 'relative_key', 'relative_key_query'];

/** The DPR architectures HF writes into `config.json`'s `architectures`. */
export type DPRArchitecture = 'DPRQuestionEncoder' | 'DPRContextEncoder' | 'DPRReader';

/** The values of a DPRConfig: HF's keys and types, as `config.json` holds them. */
export interface DPRConfigFields {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: string;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  /**
   * HF serialises `pad_token_id: null` for some configs: the encoders' default attention_mask then
   * compares against None, i.e. attends to every token. 0 (the default) only when the key is absent.
   */
  pad_token_id: number | null;
  position_embedding_type: PositionEmbeddingType;
  projection_dim: number;
  architectures?: string[];
  model_type?: string;
}

export const DPR_CONFIG_DEFAULTS: Readonly<DPRConfigFields> = {
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  projection_dim: 0,
};

/** Every key DPRConfig holds as a field; any other key of a config.json is kept aside and written back. */
const FIELD_KEYS: ReadonlySet<string> = new Set([...Object.keys(DPR_CONFIG_DEFAULTS), 'architectures', 'model_type']);

/** The keys HF holds as Python floats, so that `1.0` is not written back as `1`. */
const FLOAT_KEYS: ReadonlySet<string> = new Set([
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'initializer_range',
  'layer_norm_eps',
]);

/** HF's `model_type` for DPR. */
const DPR_MODEL_TYPE = 'dpr';

const POSITIVE_INTEGER_FIELDS = [
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'max_position_embeddings',
  'type_vocab_size',
] as const;

/** Throws ConfigError on the first field a model could not be built from. */
function validate(config: DPRConfigFields): void {
  for (const field of POSITIVE_INTEGER_FIELDS) {
    const value = config[field];
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigError(`config.${field} must be a positive integer, got ${JSON.stringify(value)}.`);
    }
  }
  if (!Number.isSafeInteger(config.projection_dim) || config.projection_dim < 0) {
    throw new ConfigError(`config.projection_dim must be a non-negative integer, got ${JSON.stringify(config.projection_dim)}.`);
  }
  if (config.pad_token_id !== null && (!Number.isSafeInteger(config.pad_token_id) || config.pad_token_id < 0)) {
    throw new ConfigError(`config.pad_token_id must be a non-negative integer or null, got ${JSON.stringify(config.pad_token_id)}.`);
  }
  if (typeof config.layer_norm_eps !== 'number' || !(config.layer_norm_eps >= 0)) {
    throw new ConfigError(`config.layer_norm_eps must be a non-negative number, got ${JSON.stringify(config.layer_norm_eps)}.`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ConfigError(
      `config.hidden_size (${config.hidden_size}) is not a multiple of config.num_attention_heads ` +
        `(${config.num_attention_heads}); choose a head count that divides the hidden size.`,
    );
  }
  if (typeof config.hidden_act !== 'string' || !ACTIVATION_NAMES.includes(config.hidden_act)) {
    throw new ConfigError(
      `config.hidden_act ${JSON.stringify(config.hidden_act)} is not supported; expected one of ${ACTIVATION_NAMES.join(', ')}.`,
    );
  }
  if (!POSITION_EMBEDDING_TYPES.includes(config.position_embedding_type)) {
    throw new ConfigError(
      `config.position_embedding_type ${JSON.stringify(config.position_embedding_type)} is not supported; ` +
        `expected one of ${POSITION_EMBEDDING_TYPES.join(', ')}.`,
    );
  }
}

/**
 * HF's `DPRConfig`: `new DPRConfig({ hidden_size: 256, ... })` fills HF's defaults for every
 * omitted key and validates once (ConfigError naming the field). Keys tfjs-dpr does not use
 * (`torch_dtype`, `transformers_version`, `id2label`, …) are kept and written back by `toJSON`
 * and `savePretrained`, so a config.json read and saved again is the file HF wrote.
 * The models take a DPRConfig; `makeConfig` and `loadConfig` build one too.
 */
export class DPRConfig implements DPRConfigFields {
  vocab_size!: number;
  hidden_size!: number;
  num_hidden_layers!: number;
  num_attention_heads!: number;
  intermediate_size!: number;
  hidden_act!: string;
  hidden_dropout_prob!: number;
  attention_probs_dropout_prob!: number;
  max_position_embeddings!: number;
  type_vocab_size!: number;
  initializer_range!: number;
  layer_norm_eps!: number;
  pad_token_id!: number | null;
  position_embedding_type!: PositionEmbeddingType;
  projection_dim!: number;
  architectures?: string[];
  model_type: string = DPR_MODEL_TYPE;
  /** The keys of the source that are not fields: private, so a worker message or `{...config}` carries only the fields. */
  readonly #other: Record<string, unknown> = {};

  constructor(values: Partial<DPRConfigFields> | Record<string, unknown> = {}) {
    const own: Record<string, unknown> = values instanceof DPRConfig ? values.toJSON() : { ...values };
    const fields: Record<string, unknown> = { ...DPR_CONFIG_DEFAULTS };
    for (const [key, value] of Object.entries(own)) {
      if (value === undefined) continue;
      if (FIELD_KEYS.has(key)) fields[key] = value;
      else this.#other[key] = value;
    }
    validate(fields as unknown as DPRConfigFields);
    Object.assign(this, fields);
  }

  /**
   * Reads `config.json` from a model directory, or from the HuggingFace cache for a hub id
   * (downloaded on first use; see PretrainedOptions). Node only.
   */
  static async fromPretrained(nameOrDir: string, options: PretrainedOptions = {}): Promise<DPRConfig> {
    // Loaded on call, so that the config (and everything importing it) stays usable in a browser.
    const { resolvePretrained } = await import('./hub/resolve.js');
    const { MODEL_FILES } = await import('./io/model_files.js');
    return loadConfig(await resolvePretrained(nameOrDir, { ...options, files: MODEL_FILES }));
  }

  /** What HF's `to_dict` holds: every field, `model_type`, and the keys kept from the source. */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { ...this.#other };
    for (const key of FIELD_KEYS) {
      const value = (this as unknown as Record<string, unknown>)[key];
      if (value !== undefined) json[key] = value;
    }
    return json;
  }

  /** The text of `config.json` as HF writes it (sorted keys, two-space indent, Python floats). */
  toJSONString(): string {
    return pythonJsonText(this.toJSON(), FLOAT_KEYS);
  }

  /**
   * Writes `dir/config.json` (creating `dir`), atomically: readers see the old file or the new
   * one, never half of one. Node only.
   */
  async savePretrained(dir: string): Promise<void> {
    const { saveConfigFile } = await import('./io/config_file.js');
    saveConfigFile(dir, this);
  }
}

/** `new DPRConfig(partial)`: fills HF's defaults and validates; throws ConfigError on any problem. */
export function makeConfig(partial: Partial<DPRConfigFields> | Record<string, unknown> = {}): DPRConfig {
  return new DPRConfig(partial);
}

/** Reads and validates `dir/config.json`. */
export function loadConfig(dir: string): DPRConfig {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}. A model directory needs config.json.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(`${path} must hold a JSON object.`);
  }
  return new DPRConfig(json as Record<string, unknown>);
}

/** The DPR class a config was saved from (its `architectures` entry), if it names one. */
export function architectureOf(config: Pick<DPRConfigFields, 'architectures'>): DPRArchitecture | undefined {
  const known: DPRArchitecture[] = ['DPRQuestionEncoder', 'DPRContextEncoder', 'DPRReader'];
  return config.architectures?.find((a): a is DPRArchitecture => (known as string[]).includes(a));
}
