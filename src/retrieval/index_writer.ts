/**
 * Builds a dense index from a stream of passages, resumably.
 *
 * The corpus is cut into shards of `shardSize` passages by position. Each shard is embedded
 * (bucketed by length), appended to the part files in `OUT/.build/`, flushed, and only then
 * recorded in `.build/checkpoint.json` (temp + rename). A resumed build truncates the part files
 * to the checkpoint, checks that the corpus still starts with the passages already stored, and
 * continues with the next shard: the batches are the same as in an uninterrupted build, so the
 * final bytes are the same. At the end the parts are renamed into OUT and manifest.json is
 * written last.
 *
 * One build at a time holds OUT's lock (build_lock.ts). Rebuilding over an existing index
 * (`overwrite`) builds in a sibling directory `.OUT.rebuild/` (resumable the same way) while the
 * old index stays searchable, then swaps the new files in (see swapIndexInto).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { BUILD_DIR, buildTarget, loadCheckpoint, saveCheckpoint, swapIndexInto, type BuildSettings } from './build_checkpoint.js';
import { BuildLock } from './build_lock.js';
import { BuildParts } from './build_parts.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_SHARD_SIZE } from './defaults.js';
import type { EncodedRow, Embedder } from './embedder.js';
import { embedStream } from './encode_pipeline.js';
import type { HnswSettings } from './hnsw_graph.js';
import { completeManifest, shardRange, sliceStream } from './index_finish.js';
import type { FullManifest, IndexKind } from './index_manifest.js';
import { syncDir, writeFileAtomic } from '../io/atomic_file.js';
import {
  EMBEDDING_FILES,
  INDEX_FORMAT,
  INDEX_VERSION,
  MANIFEST_FILE,
  OFFSETS_FILE,
  PASSAGES_FILE,
  passageLine,
  type EmbeddingDtype,
  type IndexManifest,
} from './index_format.js';

export { BUILD_DIR };

export interface PassageInput {
  id: string | number;
  title?: string;
  text: string;
}

export interface BuildIndexOptions {
  outDir: string;
  passages: AsyncIterable<PassageInput>;
  embedder: Embedder;
  tokenize(passage: PassageInput): EncodedRow;
  encoder: IndexManifest['encoder'];
  dtype?: EmbeddingDtype;
  shardSize?: number;
  batchSize?: number;
  maxTokens?: number;
  /** Continue an interrupted build in outDir/.build (starts afresh when there is none). */
  resume?: boolean;
  /** Replace an existing index in outDir. */
  overwrite?: boolean;
  /** Called with the number of passages stored so far (after each batch). */
  onProgress?(done: number): void;
  /** flat (default) or hnsw (a graph is built over the vectors once they are all stored). */
  kind?: IndexKind;
  hnsw?: Partial<HnswSettings>;
  /**
   * Build only the `index`-th of `of` equal slices of a corpus of `corpusCount` passages (DPR's
   * shard_id / num_shards); `mergeIndexes` joins the shards into one index.
   */
  shard?: { index: number; of: number; corpusCount: number };
}

export interface BuildIndexResult {
  manifest: IndexManifest;
  /** Passages taken from the interrupted build (0 for a fresh one). */
  resumedFrom: number;
}

export async function buildIndex(options: BuildIndexOptions): Promise<BuildIndexResult> {
  const { outDir } = options;
  const shard = options.shard !== undefined ? shardRange(options.shard) : undefined;
  const passages = shard !== undefined ? sliceStream(options.passages, shard.start, shard.end) : options.passages;
  const settings: BuildSettings = {
    dtype: options.dtype ?? 'float32',
    shard_size: options.shardSize ?? DEFAULT_SHARD_SIZE,
    batch_size: options.batchSize ?? DEFAULT_BATCH_SIZE,
    max_tokens: options.maxTokens ?? null,
    encoder: options.encoder,
  };
  mkdirSync(outDir, { recursive: true });
  const lock = BuildLock.acquire(outDir);
  try {
    // A finished index stays searchable while its replacement is built beside it.
    const target = buildTarget(outDir, options.overwrite === true);
    mkdirSync(target, { recursive: true });
    const result = await buildInto(target, settings, options, passages, shard);
    if (target !== outDir) swapIndexInto(outDir, target);
    return result;
  } finally {
    lock.release();
  }
}

/** Builds a whole index in `dir` (resuming `dir/.build` when asked); `manifest.json` is written last. */
async function buildInto(
  dir: string,
  settings: BuildSettings,
  options: BuildIndexOptions,
  passages: AsyncIterable<PassageInput>,
  shard: ReturnType<typeof shardRange> | undefined,
): Promise<BuildIndexResult> {
  const staging = join(dir, BUILD_DIR);
  const checkpoint = loadCheckpoint(dir, staging, settings, options.resume === true);
  mkdirSync(staging, { recursive: true });

  const resumedFrom = checkpoint.passages_done;
  const parts = new BuildParts(staging, settings.dtype, {
    passagesDone: resumedFrom,
    passagesBytes: checkpoint.passages_bytes,
    dim: checkpoint.dim,
  });
  try {
    const rest = await skipStoredPassages(passages, parts, dir, staging);
    await appendShards(rest, parts, settings, staging, options);
    const { passagesDone: count, dim } = parts.state;
    if (count === 0 || dim === null)
      throw new InputError('the corpus holds no passages; give a JSONL file with one {"id", "title", "text"} object per line.');
    parts.seal();
    const manifest: FullManifest = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      count,
      dim,
      dtype: settings.dtype,
      files: { embeddings: EMBEDDING_FILES[settings.dtype], passages: PASSAGES_FILE, offsets: OFFSETS_FILE },
      encoder: settings.encoder,
    };
    parts.moveInto(dir);
    syncDir(dir);
    await completeManifest(dir, manifest, {
      kind: options.kind ?? 'flat',
      ...(options.hnsw !== undefined ? { hnsw: options.hnsw } : {}),
      ...(shard !== undefined ? { shard } : {}),
    });
    // The manifest is written last: until it exists the directory is not an index.
    writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(staging, { recursive: true, force: true });
    return { manifest, resumedFrom };
  } finally {
    parts.close();
  }
}

/**
 * Reads past the passages an interrupted build already stored, checking they are the same ones,
 * and returns the rest of the corpus.
 */
async function skipStoredPassages(
  passages: AsyncIterable<PassageInput>,
  parts: BuildParts,
  outDir: string,
  staging: string,
): Promise<AsyncIterable<PassageInput>> {
  const stored = parts.state.passagesDone;
  const source = passages[Symbol.asyncIterator]();
  if (stored > 0) {
    const storedHash = parts.storedPassagesHash();
    const skippedHash = createHash('sha256');
    for (let skipped = 0; skipped < stored; skipped++) {
      const next = await source.next();
      if (next.done === true) {
        throw new InputError(
          `the passages hold ${skipped} records but the interrupted build in ${outDir} already stored ${stored}; resume with the same corpus, or delete ${staging} to start over.`,
        );
      }
      skippedHash.update(passageLine(next.value) + '\n');
    }
    if (skippedHash.digest('hex') !== storedHash) {
      throw new InputError(
        `the first ${stored} passages differ from those the interrupted build in ${outDir} stored; resume with the same corpus, or delete ${staging} to start over.`,
      );
    }
  }
  return { [Symbol.asyncIterator]: () => source };
}

/** Embeds the passages shard by shard, appending each to the parts and then checkpointing it. */
async function appendShards(
  passages: AsyncIterable<PassageInput>,
  parts: BuildParts,
  settings: BuildSettings,
  staging: string,
  options: BuildIndexOptions,
): Promise<void> {
  options.onProgress?.(parts.state.passagesDone);
  let inBatches = parts.state.passagesDone;
  const stream = embedStream(passages, {
    embedder: options.embedder,
    tokenize: options.tokenize,
    chunkSize: settings.shard_size,
    batchSize: settings.batch_size,
    ...(settings.max_tokens !== null ? { maxTokens: settings.max_tokens } : {}),
    onBatch: (rows) => options.onProgress?.((inBatches += rows)),
  });
  for await (const shard of stream) {
    parts.appendShard(shard.items, shard.vectors);
    inBatches = parts.state.passagesDone;
    const { passagesDone, passagesBytes, dim } = parts.state;
    saveCheckpoint(staging, { format: `${INDEX_FORMAT}-build`, settings, dim, passages_done: passagesDone, passages_bytes: passagesBytes });
  }
}
