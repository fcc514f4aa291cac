/**
 * The error classes of the public API. Each names what was wrong and how to fix it, so callers
 * can tell a bad config from a bad checkpoint from bad input with `instanceof`.
 */
export class DPRError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** config.json holds a value we cannot honour (unknown activation, heads not dividing hidden size…). */
export class ConfigError extends DPRError {}

/** A weight file is malformed, or its tensors do not match what the config needs. */
export class WeightLoadError extends DPRError {}

/** An argument to a public call is malformed (ragged ids, ids out of range, too long…). */
export class InputError extends DPRError {}

/** A tokenizer directory is unusable, or a tokenization request is impossible. */
export class TokenizerError extends DPRError {}
