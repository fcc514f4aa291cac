/**
 * The file names of a HuggingFace model directory, as `save_pretrained` writes them and the hub
 * serves them. The one home of these names: the hub resolver, the converter, the weight loader
 * and the model checks of retrieval all import them from here.
 */

export const CONFIG_FILE = 'config.json';
/** The weights format tfjs-dpr loads first and the one `convertCheckpoint` writes. */
export const SAFETENSORS_WEIGHTS = 'model.safetensors';
/** A `torch.save` state dict: read directly, or converted to model.safetensors. */
export const PYTORCH_WEIGHTS = 'pytorch_model.bin';

/** A set of files something needs: those it cannot do without, and those it uses when present. */
export interface FileSet {
  required: readonly string[];
  optional?: readonly string[];
}

/** The files a model needs besides its weights. */
export const MODEL_FILES = { required: [CONFIG_FILE], optional: [] } as const satisfies FileSet;

/**
 * The files a BERT/DPR tokenizer may have; vocab.txt is the one it cannot do without. In the
 * order `convertCheckpoint` copies (and reports) them.
 */
export const TOKENIZER_FILES = {
  required: ['vocab.txt'],
  optional: ['tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.json', 'added_tokens.json'],
} as const satisfies FileSet;

/** Every file of a set, required first. */
export function filesOf(set: FileSet): string[] {
  return [...set.required, ...(set.optional ?? [])];
}
