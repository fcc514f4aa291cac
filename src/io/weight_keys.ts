/**
 * Which weights a DPR checkpoint must hold, by HuggingFace PyTorch name and shape, and how the
 * names found in a file map onto them. Mirrors the modules HF builds
 * (transformers/models/dpr/modeling_dpr.py over models/bert/modeling_bert.py):
 * - DPRQuestionEncoder: `question_encoder.` + DPREncoder; DPRContextEncoder: `ctx_encoder.`;
 *   DPRReader: `span_predictor.encoder.` + DPREncoder, and `span_predictor.qa_outputs` / `qa_classifier`.
 * - DPREncoder: `bert_model.` + BertModel(add_pooling_layer=False), and `encode_proj` when
 *   projection_dim > 0.
 * What HF ignores on load is dropped here too: the `position_ids` buffer and pooler weights
 * (`_keys_to_ignore_on_load_missing` / `_unexpected`). TF1-era LayerNorm names `gamma`/`beta` become
 * `weight`/`bias` (as `PreTrainedModel._fix_key` does). Anything else unexpected is reported.
 */
import type { DPRArchitecture, DPRConfig } from '../config.js';

export interface ExpectedWeight {
  name: string;
  shape: number[];
}

const ROOT_PREFIX: Record<DPRArchitecture, string> = {
  DPRQuestionEncoder: 'question_encoder',
  DPRContextEncoder: 'ctx_encoder',
  DPRReader: 'span_predictor.encoder',
};

/** The prefix of the DPREncoder inside each architecture (`<prefix>.bert_model.…`). */
export function encoderPrefix(architecture: DPRArchitecture): string {
  return ROOT_PREFIX[architecture];
}

/** Every weight HF's model of this architecture holds (buffers and pooler excluded), with its shape. */
export function expectedWeights(config: DPRConfig, architecture: DPRArchitecture): ExpectedWeight[] {
  const H = config.hidden_size;
  const I = config.intermediate_size;
  const headSize = H / config.num_attention_heads;
  const out: ExpectedWeight[] = [];
  const add = (name: string, shape: number[]): void => void out.push({ name, shape });
  const linear = (name: string, outDim: number, inDim: number): void => {
    add(`${name}.weight`, [outDim, inDim]);
    add(`${name}.bias`, [outDim]);
  };
  const layerNorm = (name: string): void => {
    add(`${name}.weight`, [H]);
    add(`${name}.bias`, [H]);
  };
  const encoder = encoderPrefix(architecture);
  const bert = `${encoder}.bert_model`;
  add(`${bert}.embeddings.word_embeddings.weight`, [config.vocab_size, H]);
  add(`${bert}.embeddings.position_embeddings.weight`, [config.max_position_embeddings, H]);
  add(`${bert}.embeddings.token_type_embeddings.weight`, [config.type_vocab_size, H]);
  layerNorm(`${bert}.embeddings.LayerNorm`);
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const layer = `${bert}.encoder.layer.${i}`;
    linear(`${layer}.attention.self.query`, H, H);
    linear(`${layer}.attention.self.key`, H, H);
    linear(`${layer}.attention.self.value`, H, H);
    if (config.position_embedding_type === 'relative_key' || config.position_embedding_type === 'relative_key_query') {
      add(`${layer}.attention.self.distance_embedding.weight`, [2 * config.max_position_embeddings - 1, headSize]);
    }
    linear(`${layer}.attention.output.dense`, H, H);
    layerNorm(`${layer}.attention.output.LayerNorm`);
    linear(`${layer}.intermediate.dense`, I, H);
    linear(`${layer}.output.dense`, H, I);
    layerNorm(`${layer}.output.LayerNorm`);
  }
  if (config.projection_dim > 0) linear(`${encoder}.encode_proj`, config.projection_dim, H);
  if (architecture === 'DPRReader') {
    // DPRSpanPredictor sizes its heads by DPREncoder.embeddings_size.
    const size = config.projection_dim > 0 ? config.projection_dim : H;
    linear('span_predictor.qa_outputs', 2, size);
    linear('span_predictor.qa_classifier', 1, size);
  }
  return out;
}

/** Keys HF itself ignores on load: the position_ids buffer and the (unused) pooler. */
export function isDroppedKey(name: string): boolean {
  return /(^|\.)position_ids$/.test(name) || /(^|\.)pooler\./.test(name);
}

/** The HF name for a source key: TF1-era LayerNorm `gamma`/`beta` become `weight`/`bias`. */
export function normalizeKey(name: string): string {
  if (name.endsWith('.gamma')) return `${name.slice(0, -'.gamma'.length)}.weight`;
  if (name.endsWith('.beta')) return `${name.slice(0, -'.beta'.length)}.bias`;
  return name;
}

/** Guesses the architecture from the key prefixes, for configs without `architectures`. */
export function inferArchitecture(names: Iterable<string>): DPRArchitecture | undefined {
  const found = new Set<DPRArchitecture>();
  for (const name of names) {
    if (name.startsWith('question_encoder.')) found.add('DPRQuestionEncoder');
    else if (name.startsWith('ctx_encoder.')) found.add('DPRContextEncoder');
    else if (name.startsWith('span_predictor.')) found.add('DPRReader');
  }
  return found.size === 1 ? [...found][0] : undefined;
}

export interface KeyPlan {
  /** Expected HF name → the source key holding it, in the order of `expectedWeights`. */
  sources: Map<string, string>;
  /** Source keys written under another name (gamma/beta). */
  renamed: Array<{ from: string; to: string }>;
  /** Source keys left out on purpose (position_ids, pooler). */
  dropped: string[];
  /** Source keys that are none of the above: reported, not written. */
  unknown: string[];
  /** Expected weights no source key provides. */
  missing: string[];
  /** Expected weights whose source has another shape. */
  shapeMismatches: Array<{ name: string; source: string; expected: number[]; found: number[] }>;
  /** Expected weights provided twice (e.g. both `LayerNorm.gamma` and `LayerNorm.weight`). */
  duplicates: Array<{ name: string; sources: string[] }>;
}

/** Matches the keys and shapes of a file against what the config implies. */
export function planKeys(sourceShapes: ReadonlyMap<string, number[]>, config: DPRConfig, architecture: DPRArchitecture): KeyPlan {
  const expected = expectedWeights(config, architecture);
  const expectedShapes = new Map(expected.map((w) => [w.name, w.shape]));
  const candidates = new Map<string, string[]>();
  const plan: KeyPlan = { sources: new Map(), renamed: [], dropped: [], unknown: [], missing: [], shapeMismatches: [], duplicates: [] };
  for (const source of sourceShapes.keys()) {
    if (isDroppedKey(source)) {
      plan.dropped.push(source);
      continue;
    }
    const name = normalizeKey(source);
    if (!expectedShapes.has(name)) {
      plan.unknown.push(source);
      continue;
    }
    const list = candidates.get(name) ?? [];
    list.push(source);
    candidates.set(name, list);
  }
  for (const { name, shape } of expected) {
    const sources = candidates.get(name);
    if (sources === undefined) {
      plan.missing.push(name);
      continue;
    }
    if (sources.length > 1) {
      plan.duplicates.push({ name, sources });
      continue;
    }
    const source = sources[0]!;
    const found = sourceShapes.get(source)!;
    if (found.length !== shape.length || found.some((d, i) => d !== shape[i])) {
      plan.shapeMismatches.push({ name, source, expected: shape, found });
      continue;
    }
    plan.sources.set(name, source);
    if (source !== name) plan.renamed.push({ from: source, to: name });
  }
  return plan;
}

/** One message listing every missing, mismatched and duplicated weight (empty when there is none). */
export function describeKeyProblems(plan: KeyPlan, limit = 20): string {
  const lines: string[] = [];
  const list = (title: string, items: string[]): void => {
    if (items.length === 0) return;
    const shown = items.slice(0, limit);
    lines.push(`${title} (${items.length}): ${shown.join('; ')}${items.length > limit ? `; … and ${items.length - limit} more` : ''}`);
  };
  list('missing weights', plan.missing);
  list(
    'shape mismatches (config implies vs file holds)',
    plan.shapeMismatches.map((m) => `${m.name}: expected [${m.expected.join(', ')}], found [${m.found.join(', ')}]${m.source !== m.name ? ` in ${m.source}` : ''}`),
  );
  list('weights given twice', plan.duplicates.map((d) => `${d.name} from ${d.sources.join(' and ')}`));
  return lines.join('\n');
}
