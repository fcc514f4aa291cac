/**
 * The one check of a weight file against the weights a model needs, used by loading
 * (src/models/load_weights.ts) and by `convert`. What a model needs, by HuggingFace PyTorch name
 * and shape, comes from the model class (`weightSpecs(config)`), never from a list kept here.
 *
 * How the names found in a file map onto them: what HF ignores on load is dropped (the
 * `position_ids` buffer and pooler weights, `_keys_to_ignore_on_load_missing` / `_unexpected`);
 * TF1-era LayerNorm names `gamma`/`beta` become `weight`/`bias` (as `PreTrainedModel._fix_key`
 * does). Everything else that does not match is listed by name.
 */
import type { WeightSpec } from '../layers/weight_store.js';
import type { SafetensorsDtype } from './safetensors.js';

/** The dtypes a weight may be stored in; all are widened (or narrowed) to float32 at load. */
export const FLOAT_DTYPES: ReadonlySet<SafetensorsDtype> = new Set(['F32', 'F16', 'BF16', 'F64']);

/** A tensor as a weight file describes it. */
export interface SourceTensor {
  dtype: SafetensorsDtype;
  shape: number[];
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

export interface KeyPlan {
  /** Expected HF name → the source key holding it, in the order of the specs. */
  sources: Map<string, string>;
  /** Source keys written under another name (gamma/beta). */
  renamed: Array<{ from: string; to: string }>;
  /** Source keys left out on purpose (position_ids, pooler). */
  dropped: string[];
  /** Source keys that are none of the above: the model does not use them. */
  unknown: string[];
  /** Expected weights no source key provides. */
  missing: string[];
  /** Expected weights whose source has another shape. */
  shapeMismatches: Array<{ name: string; source: string; expected: number[]; found: number[] }>;
  /** Expected weights stored in a dtype that is not floating-point. */
  notFloat: Array<{ name: string; source: string; dtype: SafetensorsDtype }>;
  /** Expected weights provided twice (e.g. both `LayerNorm.gamma` and `LayerNorm.weight`). */
  duplicates: Array<{ name: string; sources: string[] }>;
}

function emptyPlan(): KeyPlan {
  return { sources: new Map(), renamed: [], dropped: [], unknown: [], missing: [], shapeMismatches: [], notFloat: [], duplicates: [] };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Matches the keys, shapes and dtypes of a file against the weights a model needs. */
export function planKeys(source: ReadonlyMap<string, SourceTensor>, expected: readonly WeightSpec[]): KeyPlan {
  const expectedNames = new Set(expected.map((w) => w.name));
  const candidates = new Map<string, string[]>();
  const plan = emptyPlan();
  for (const key of source.keys()) {
    const name = normalizeKey(key);
    if (isDroppedKey(key)) plan.dropped.push(key);
    else if (!expectedNames.has(name)) plan.unknown.push(key);
    else candidates.set(name, [...(candidates.get(name) ?? []), key]);
  }
  for (const { name, shape } of expected) {
    const keys = candidates.get(name);
    if (keys === undefined) {
      plan.missing.push(name);
    } else if (keys.length > 1) {
      plan.duplicates.push({ name, sources: keys });
    } else {
      const key = keys[0]!;
      const found = source.get(key)!;
      if (!sameShape(found.shape, shape)) plan.shapeMismatches.push({ name, source: key, expected: shape, found: found.shape });
      else if (!FLOAT_DTYPES.has(found.dtype)) plan.notFloat.push({ name, source: key, dtype: found.dtype });
      else {
        plan.sources.set(name, key);
        if (key !== name) plan.renamed.push({ from: key, to: name });
      }
    }
  }
  return plan;
}

export interface ProblemOptions {
  /** Count keys the model does not use as a problem (loading) rather than leave them out (convert). */
  unknownIsProblem?: boolean;
  /** List at most this many names per kind of problem (default: all). */
  limit?: number;
}

/** One line per kind of problem, each naming every weight concerned (empty when the file fits). */
export function describeKeyProblems(plan: KeyPlan, options: ProblemOptions = {}): string[] {
  const limit = options.limit ?? Infinity;
  const lines: string[] = [];
  const list = (title: string, items: string[], separator: string): void => {
    if (items.length === 0) return;
    const more = items.length > limit ? `${separator}… and ${items.length - limit} more` : '';
    lines.push(`${title} (${items.length}): ${items.slice(0, limit).join(separator)}${more}`);
  };
  const from = (name: string, source: string): string => (source !== name ? ` (as ${source})` : '');
  list('missing', plan.missing, ', ');
  if (options.unknownIsProblem === true) list('unexpected', plan.unknown, ', ');
  list(
    'mis-shaped',
    plan.shapeMismatches.map(
      (m) => `${m.name}${from(m.name, m.source)}: file has [${m.found.join(', ')}], config needs [${m.expected.join(', ')}]`,
    ),
    '; ',
  );
  list(
    'not floating-point',
    plan.notFloat.map((m) => `${m.name}${from(m.name, m.source)}: dtype ${m.dtype}`),
    '; ',
  );
  list(
    'given twice',
    plan.duplicates.map((d) => `${d.name} from ${d.sources.join(' and ')}`),
    '; ',
  );
  return lines;
}
