/**
 * The three DPR model classes by the architecture name HF writes into config.json, for code that
 * starts from a file rather than a class (`convert`): each class owns its prefix and weight specs.
 */
import type { DPRArchitecture } from '../config.js';
import { TFDPRContextEncoder } from './context_encoder.js';
import type { DPRPretrainedModel, ModelClass } from './pretrained.js';
import { TFDPRQuestionEncoder } from './question_encoder.js';
import { TFDPRReader } from './reader.js';

export const MODEL_CLASSES: Readonly<Record<DPRArchitecture, ModelClass<DPRPretrainedModel>>> = {
  DPRQuestionEncoder: TFDPRQuestionEncoder,
  DPRContextEncoder: TFDPRContextEncoder,
  DPRReader: TFDPRReader,
};

/** Guesses the architecture from the key prefixes, for configs without `architectures`. */
export function inferArchitecture(names: Iterable<string>): DPRArchitecture | undefined {
  const classes = Object.entries(MODEL_CLASSES) as Array<[DPRArchitecture, ModelClass<DPRPretrainedModel>]>;
  const found = new Set<DPRArchitecture>();
  for (const name of names) {
    const match = classes.find(([, cls]) => name.startsWith(`${cls.prefix}.`));
    if (match !== undefined) found.add(match[0]);
  }
  return found.size === 1 ? [...found][0] : undefined;
}
