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
 */
import { createHash } from 'node:crypto';
import {
  closeSync, existsSync, fdatasyncSync, ftruncateSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, unlinkSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { EncodedRow, Embedder } from './embedder.js';
import { embedStream } from './encode_pipeline.js';
import { syncDir, writeFileAtomic } from '../io/atomic_file.js';
import { encodeFloat16 } from '../io/float16.js';
import {
  BYTES_PER_VALUE, EMBEDDING_FILES, INDEX_FORMAT, INDEX_VERSION, MANIFEST_FILE, OFFSETS_FILE, PASSAGES_FILE,
  passageLine, type EmbeddingDtype, type IndexManifest,
} from './index_format.js';

export const BUILD_DIR = '.build';
const CHECKPOINT_FILE = 'checkpoint.json';

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
}

export interface BuildIndexResult {
  manifest: IndexManifest;
  /** Passages taken from the interrupted build (0 for a fresh one). */
  resumedFrom: number;
}

/** Everything that decides the bytes of the index: a resumed build must use the same values. */
interface BuildSettings {
  dtype: EmbeddingDtype;
  shard_size: number;
  batch_size: number;
  max_tokens: number | null;
  encoder: IndexManifest['encoder'];
}

interface Checkpoint {
  format: string;
  settings: BuildSettings;
  dim: number | null;
  passages_done: number;
  passages_bytes: number;
}

const PARTS = { embeddings: 'embeddings.part', passages: 'passages.part', offsets: 'offsets.part' } as const;

function describeDifference(a: BuildSettings, b: BuildSettings): string {
  const diffs: string[] = [];
  const flatA = { ...a, ...a.encoder, encoder: undefined } as Record<string, unknown>;
  const flatB = { ...b, ...b.encoder, encoder: undefined } as Record<string, unknown>;
  // Every key of either side: a setting only one build has is a difference too.
  for (const key of new Set([...Object.keys(flatA), ...Object.keys(flatB)])) {
    if (JSON.stringify(flatA[key]) !== JSON.stringify(flatB[key])) diffs.push(`${key} was ${JSON.stringify(flatA[key])}, now ${JSON.stringify(flatB[key])}`);
  }
  return diffs.join('; ');
}

export async function buildIndex(options: BuildIndexOptions): Promise<BuildIndexResult> {
  const { outDir } = options;
  const settings: BuildSettings = {
    dtype: options.dtype ?? 'float32',
    shard_size: options.shardSize ?? 1024,
    batch_size: options.batchSize ?? 32,
    max_tokens: options.maxTokens ?? null,
    encoder: options.encoder,
  };
  const staging = join(outDir, BUILD_DIR);
  mkdirSync(outDir, { recursive: true });

  const manifestPath = join(outDir, MANIFEST_FILE);
  if (existsSync(manifestPath)) {
    if (options.overwrite !== true) {
      throw new InputError(`${outDir} already holds an index (${MANIFEST_FILE}); pass --overwrite to replace it, or choose another --out.`);
    }
    // Unlinking the manifest first makes the directory "not an index" before any file changes.
    unlinkSync(manifestPath);
    syncDir(outDir);
  }

  let checkpoint: Checkpoint | undefined;
  if (existsSync(staging)) {
    if (options.resume !== true) {
      throw new InputError(`${outDir} holds an interrupted build (${staging}); pass --resume to continue it, or delete ${staging} to start over.`);
    }
    const path = join(staging, CHECKPOINT_FILE);
    if (existsSync(path)) {
      checkpoint = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
      const diff = describeDifference(checkpoint.settings, settings);
      if (diff !== '') {
        throw new InputError(`cannot resume the build in ${outDir} with different settings (${diff}); use the original settings, or delete ${staging} to start over.`);
      }
    }
  }
  mkdirSync(staging, { recursive: true });

  const done0 = checkpoint?.passages_done ?? 0;
  const bytesPer = BYTES_PER_VALUE[settings.dtype];
  let dim = checkpoint?.dim ?? null;
  let passagesBytes = checkpoint?.passages_bytes ?? 0;
  const fds = {
    embeddings: openSync(join(staging, PARTS.embeddings), existsSync(join(staging, PARTS.embeddings)) ? 'r+' : 'w+'),
    passages: openSync(join(staging, PARTS.passages), existsSync(join(staging, PARTS.passages)) ? 'r+' : 'w+'),
    offsets: openSync(join(staging, PARTS.offsets), existsSync(join(staging, PARTS.offsets)) ? 'r+' : 'w+'),
  };
  let closed = false;
  const closeAll = (): void => {
    if (closed) return;
    closed = true;
    for (const fd of Object.values(fds)) closeSync(fd);
  };
  try {
    // Drop whatever an interrupted build wrote after its last checkpoint.
    ftruncateSync(fds.embeddings, done0 * (dim ?? 0) * bytesPer);
    ftruncateSync(fds.passages, passagesBytes);
    ftruncateSync(fds.offsets, done0 * 8);
    let embeddingsBytes = done0 * (dim ?? 0) * bytesPer;
    let offsetsBytes = done0 * 8;

    // Skip (and verify) the passages already stored.
    const storedHash = done0 > 0 ? hashFilePrefix(fds.passages, passagesBytes) : '';
    const skippedHash = createHash('sha256');
    const source = options.passages[Symbol.asyncIterator]();
    let skipped = 0;
    while (skipped < done0) {
      const next = await source.next();
      if (next.done === true) {
        throw new InputError(`the passages hold ${skipped} records but the interrupted build in ${outDir} already stored ${done0}; resume with the same corpus, or delete ${staging} to start over.`);
      }
      skippedHash.update(passageLine(next.value) + '\n');
      skipped++;
    }
    if (done0 > 0 && skippedHash.digest('hex') !== storedHash) {
      throw new InputError(`the first ${done0} passages differ from those the interrupted build in ${outDir} stored; resume with the same corpus, or delete ${staging} to start over.`);
    }
    const rest: AsyncIterable<PassageInput> = { [Symbol.asyncIterator]: () => source };

    let done = done0;
    options.onProgress?.(done);
    let inBatches = done;
    const stream = embedStream(rest, {
      embedder: options.embedder,
      tokenize: options.tokenize,
      chunkSize: settings.shard_size,
      batchSize: settings.batch_size,
      ...(settings.max_tokens !== null ? { maxTokens: settings.max_tokens } : {}),
      onBatch: (rows) => options.onProgress?.((inBatches += rows)),
    });
    for await (const shard of stream) {
      dim ??= shard.vectors[0]!.length;
      const vectorBytes = new Uint8Array(shard.items.length * dim * bytesPer);
      const view = new DataView(vectorBytes.buffer);
      shard.vectors.forEach((v, r) => {
        if (v.length !== dim) throw new Error(`the embedder returned a vector of ${v.length} values after vectors of ${dim}`);
        if (settings.dtype === 'float16') vectorBytes.set(encodeFloat16(v), r * dim! * 2);
        else for (let i = 0; i < v.length; i++) view.setFloat32((r * dim! + i) * 4, v[i]!, true);
      });
      const lines: Buffer[] = [];
      const offsets = new Uint8Array(shard.items.length * 8);
      const offsetView = new DataView(offsets.buffer);
      let position = passagesBytes;
      shard.items.forEach((p, r) => {
        const line = Buffer.from(passageLine(p) + '\n', 'utf8');
        offsetView.setBigUint64(r * 8, BigInt(position), true);
        position += line.length;
        lines.push(line);
      });
      const passageBytes = Buffer.concat(lines);
      writeAll(fds.embeddings, vectorBytes, embeddingsBytes);
      writeAll(fds.passages, passageBytes, passagesBytes);
      writeAll(fds.offsets, offsets, offsetsBytes);
      for (const fd of Object.values(fds)) fdatasyncSync(fd);
      embeddingsBytes += vectorBytes.length;
      passagesBytes += passageBytes.length;
      offsetsBytes += offsets.length;
      done += shard.items.length;
      inBatches = done;
      const next: Checkpoint = { format: `${INDEX_FORMAT}-build`, settings, dim, passages_done: done, passages_bytes: passagesBytes };
      writeFileAtomic(join(staging, CHECKPOINT_FILE), JSON.stringify(next));
    }
    if (done === 0 || dim === null) throw new InputError('the corpus holds no passages; give a JSONL file with one {"id", "title", "text"} object per line.');

    // The final offset closes the last line.
    const last = new Uint8Array(8);
    new DataView(last.buffer).setBigUint64(0, BigInt(passagesBytes), true);
    writeAll(fds.offsets, last, offsetsBytes);
    fdatasyncSync(fds.offsets);
    if (fstatSync(fds.embeddings).size !== done * dim * bytesPer) throw new Error('embedding part has an unexpected size');
    closeAll();

    const manifest: IndexManifest = {
      format: INDEX_FORMAT,
      version: INDEX_VERSION,
      count: done,
      dim,
      dtype: settings.dtype,
      files: { embeddings: EMBEDDING_FILES[settings.dtype], passages: PASSAGES_FILE, offsets: OFFSETS_FILE },
      encoder: settings.encoder,
    };
    renameSync(join(staging, PARTS.embeddings), join(outDir, manifest.files.embeddings));
    renameSync(join(staging, PARTS.passages), join(outDir, PASSAGES_FILE));
    renameSync(join(staging, PARTS.offsets), join(outDir, OFFSETS_FILE));
    // An index overwritten with the other dtype would leave the old embedding file behind.
    for (const file of Object.values(EMBEDDING_FILES)) {
      if (file !== manifest.files.embeddings) rmSync(join(outDir, file), { force: true });
    }
    syncDir(outDir);
    writeFileAtomic(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(staging, { recursive: true, force: true });
    return { manifest, resumedFrom: done0 };
  } finally {
    closeAll();
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written, position + written);
}

function hashFilePrefix(fd: number, length: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1 << 20);
  let position = 0;
  while (position < length) {
    const n = readSync(fd, chunk, 0, Math.min(chunk.length, length - position), position);
    if (n === 0) break;
    hash.update(chunk.subarray(0, n));
    position += n;
  }
  return hash.digest('hex');
}
