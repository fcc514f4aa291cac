/**
 * The one home of retrieval's batching defaults: the library options, the CLI's `--batch-size` /
 * `--shard-size` defaults and their help texts all read these.
 */

/** Passages (or texts) per encoder call when embedding a corpus. */
export const DEFAULT_BATCH_SIZE = 32;

/** Passages per index shard: the unit of a build's checkpoints, so at most this much work is lost. */
export const DEFAULT_SHARD_SIZE = 1024;

/** Questions encoded and searched together (questions are short, so a larger batch pays). */
export const DEFAULT_QUESTION_BATCH_SIZE = 64;

/** Records per chunk when encoding a stream of texts (one chunk is in memory at a time). */
export const DEFAULT_ENCODE_CHUNK = 256;

/** Passages returned per question (`dpr search -k`, POST /search). */
export const DEFAULT_TOP_K = 10;

/** Answering (`dpr ask`, POST /ask): passages read, and the spans the reader returns from them. */
export const DEFAULT_ASK_OPTIONS = { k: 10, num_spans: 3, max_answer_length: 10, num_spans_per_passage: 1 } as const;
