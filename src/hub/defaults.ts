/**
 * The models `dpr ask` uses when given none: the single-NQ DPR checkpoints Facebook published
 * with the paper (Karpukhin et al., 2020), the ones HF's DPR docs load.
 */
export const DEFAULT_QUESTION_ENCODER = 'facebook/dpr-question_encoder-single-nq-base';
export const DEFAULT_CONTEXT_ENCODER = 'facebook/dpr-ctx_encoder-single-nq-base';
export const DEFAULT_READER = 'facebook/dpr-reader-single-nq-base';
