/**
 * The flags that turn on hybrid (dense + BM25) retrieval, shared by `dpr search`, `dpr ask` and
 * `dpr eval retrieval|ask`, and the BM25 index they need, loaded with a CLI-worded error.
 */
import { InputError } from '../errors.js';
import { type Bm25Index } from '../retrieval/bm25_index.js';
import { hasBm25Index, loadBm25Index } from '../retrieval/bm25_files.js';
import { DEFAULT_HYBRID_DEPTH, type HybridSearchOptions } from '../retrieval/hybrid_search.js';
import { DPR_PAPER_FUSION, PYSERINI_NQ_FUSION } from '../retrieval/hybrid.js';
import { type OptionSpec, type ParsedArgs, flag, num, str } from './args.js';

export const HYBRID_OPTIONS: Record<string, OptionSpec> = {
  hybrid: { type: 'boolean', description: "fuse dense and BM25 scores (needs the index's BM25 file: dpr index bm25 --index DIR)" },
  fusion: {
    type: 'string',
    choices: ['pyserini', 'dpr-paper'],
    default: 'pyserini',
    description: 'with --hybrid: pyserini = alpha·bm25 + dense (alpha 1.3); dpr-paper = bm25 + alpha·dense (alpha 1.1)',
  },
  alpha: { type: 'number', value: 'A', description: 'with --hybrid: the fusion weight (default: 1.3 pyserini, 1.1 dpr-paper)' },
  'hybrid-depth': {
    type: 'integer',
    min: 1,
    default: DEFAULT_HYBRID_DEPTH,
    value: 'N',
    description: 'with --hybrid: hits taken from each side before fusing',
  },
};

/** The hybrid search options the flags ask for, or undefined without --hybrid. */
export function hybridFromArgs(args: ParsedArgs): HybridSearchOptions | undefined {
  if (!flag(args, 'hybrid')) {
    if (num(args, 'alpha') !== undefined) throw new InputError('--alpha only applies with --hybrid.');
    return undefined;
  }
  const base = str(args, 'fusion') === 'dpr-paper' ? DPR_PAPER_FUSION : PYSERINI_NQ_FUSION;
  const alpha = num(args, 'alpha');
  return { depth: num(args, 'hybrid-depth')!, fusion: { ...base, ...(alpha !== undefined ? { alpha } : {}) } };
}

export async function loadBm25ForHybrid(indexDir: string): Promise<Bm25Index> {
  if (!hasBm25Index(indexDir)) {
    throw new InputError(
      `--hybrid needs a BM25 index in ${indexDir}; build it with \`dpr index bm25 --index ${indexDir}\` (or \`dpr index build … --bm25\`).`,
    );
  }
  return loadBm25Index(indexDir);
}
