/**
 * The on-disk dense index: a directory holding
 *
 *   manifest.json       format, version, count, dim, dtype, file names, the encoder used
 *   embeddings.f32      count × dim little-endian float32, row i = passage i   (or embeddings.f16)
 *   passages.jsonl      one {"id","title","text"} line per passage, in corpus order
 *   passages.offsets    (count + 1) little-endian uint64 byte offsets of the lines in passages.jsonl
 *
 * `manifest.json` is written last (temp file + rename): a directory without it is not an index,
 * so a reader never sees a half-written one. The manifest holds no timestamps or timings, so the
 * same corpus and model always give the same bytes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import { InputError } from '../errors.js';
import { decodeFloat16 } from '../io/float16.js';

const LITTLE_ENDIAN = endianness() === 'LE';

export const INDEX_FORMAT = 'tfjs-dpr-index';
export const INDEX_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const PASSAGES_FILE = 'passages.jsonl';
export const OFFSETS_FILE = 'passages.offsets';

export type EmbeddingDtype = 'float32' | 'float16';
export const EMBEDDING_FILES: Record<EmbeddingDtype, string> = { float32: 'embeddings.f32', float16: 'embeddings.f16' };
export const BYTES_PER_VALUE: Record<EmbeddingDtype, number> = { float32: 4, float16: 2 };

export interface IndexManifest {
  format: typeof INDEX_FORMAT;
  version: number;
  count: number;
  dim: number;
  dtype: EmbeddingDtype;
  files: { embeddings: string; passages: string; offsets: string };
  encoder: {
    /** The --model argument the index was built with. */
    model: string;
    architecture: 'DPRContextEncoder';
    /** sha256 of the encoder's config.json, to tell models apart. */
    config_sha256: string;
    /** Passages were truncated to this many tokens. */
    max_length: number;
    /**
     * The backend and kernels that computed the vectors (e.g. "wasm/native-avx512"); kernel sets
     * differ in the last float bits, so a resumed build must use the same to stay byte-identical.
     */
    kernels?: string;
  };
}

/** A passage as stored and returned by search. */
export interface StoredPassage {
  id: string | number;
  title: string;
  text: string;
}

/** The line a passage is stored as (without the newline); fixed key order. */
export function passageLine(p: { id: string | number; title?: string; text: string }): string {
  return JSON.stringify({ id: p.id, title: p.title ?? '', text: p.text });
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function notAnIndex(dir: string, why: string): InputError {
  return new InputError(`${dir} is not a usable index: ${why}`);
}

/** Reads and checks `dir/manifest.json`. */
export function readManifest(dir: string): IndexManifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(dir)) throw new InputError(`index directory ${dir} does not exist; build one with \`dpr index build --out ${dir}\`.`);
  if (!existsSync(path)) {
    const building = existsSync(join(dir, '.build'));
    throw notAnIndex(
      dir,
      building
        ? `it has no ${MANIFEST_FILE} yet: a build is in progress or was interrupted; finish it with \`dpr index build --resume\`.`
        : `it has no ${MANIFEST_FILE}; build an index with \`dpr index build --out ${dir}\`.`,
    );
  }
  let m: IndexManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as IndexManifest;
  } catch (e) {
    throw notAnIndex(dir, `${MANIFEST_FILE} is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw notAnIndex(dir, `${MANIFEST_FILE} is not a JSON object; rebuild the index.`);
  if (m.format !== INDEX_FORMAT)
    throw notAnIndex(dir, `${MANIFEST_FILE} has format ${JSON.stringify(m.format)}, expected "${INDEX_FORMAT}".`);
  if (m.version !== INDEX_VERSION)
    throw notAnIndex(
      dir,
      `index format version ${m.version} is not supported (this build reads version ${INDEX_VERSION}); rebuild the index.`,
    );
  if (!Object.hasOwn(EMBEDDING_FILES, m.dtype)) throw notAnIndex(dir, `unknown embedding dtype ${JSON.stringify(m.dtype)}.`);
  if (!Number.isSafeInteger(m.count) || m.count < 1 || !Number.isSafeInteger(m.dim) || m.dim < 1) {
    throw notAnIndex(dir, `${MANIFEST_FILE} has count ${m.count} and dim ${m.dim}; both must be positive integers.`);
  }
  const files = (m.files ?? {}) as unknown as Record<string, unknown>;
  for (const key of ['embeddings', 'passages', 'offsets']) {
    const name = files[key];
    // Plain file names inside the index directory only.
    if (typeof name !== 'string' || name === '' || name !== basename(name) || name === '.' || name === '..') {
      throw notAnIndex(dir, `${MANIFEST_FILE} names no valid ${key} file (files.${key} = ${JSON.stringify(name)}); rebuild the index.`);
    }
  }
  return m;
}

/** An opened index: random access to vectors and passages. Call close() when done. */
export class DenseIndex {
  private constructor(
    readonly dir: string,
    readonly manifest: IndexManifest,
    private readonly embeddings: FileHandle,
    private readonly passages: FileHandle,
    private readonly offsets: FileHandle,
  ) {}

  get count(): number {
    return this.manifest.count;
  }
  get dim(): number {
    return this.manifest.dim;
  }

  /** Opens an index directory, checking the manifest and that every file has the size it implies. */
  static async open(dir: string): Promise<DenseIndex> {
    const m = readManifest(dir);
    const expected: Array<[string, number | undefined]> = [
      [m.files.embeddings, m.count * m.dim * BYTES_PER_VALUE[m.dtype]],
      [m.files.offsets, (m.count + 1) * 8],
      [m.files.passages, undefined],
    ];
    for (const [file, size] of expected) {
      const path = join(dir, file);
      let actual: number;
      try {
        actual = (await stat(path)).size;
      } catch {
        throw notAnIndex(dir, `${file} is missing; rebuild the index.`);
      }
      if (size !== undefined && actual !== size) {
        throw notAnIndex(
          dir,
          `${file} has ${actual} bytes but the manifest (${m.count} × ${m.dim}, ${m.dtype}) implies ${size}; rebuild the index.`,
        );
      }
    }
    const handles = await Promise.all([m.files.embeddings, m.files.passages, m.files.offsets].map((f) => open(join(dir, f), 'r')));
    return new DenseIndex(dir, m, handles[0]!, handles[1]!, handles[2]!);
  }

  /** Rows [start, start + rows) of the embedding matrix as float32, row-major. */
  async readVectors(start: number, rows: number): Promise<Float32Array> {
    const { dim, dtype } = this.manifest;
    const bytesPer = BYTES_PER_VALUE[dtype];
    const length = rows * dim * bytesPer;
    const buffer = new Uint8Array(length);
    const { bytesRead } = await this.embeddings.read(buffer, 0, length, start * dim * bytesPer);
    if (bytesRead !== length) throw notAnIndex(this.dir, `${this.manifest.files.embeddings} ended early at row ${start}.`);
    if (dtype === 'float16') return decodeFloat16(buffer);
    // The file is little-endian; on a little-endian machine (all Node platforms in practice) the
    // bytes are the floats, and a DataView copy would dominate search time.
    if (LITTLE_ENDIAN) return new Float32Array(buffer.buffer, 0, rows * dim);
    const out = new Float32Array(rows * dim);
    const view = new DataView(buffer.buffer);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }

  /** The stored passage at row `index`. */
  async passage(index: number): Promise<StoredPassage> {
    if (!Number.isInteger(index) || index < 0 || index >= this.count)
      throw new RangeError(`passage index ${index} is outside [0, ${this.count})`);
    const pair = new Uint8Array(16);
    await this.offsets.read(pair, 0, 16, index * 8);
    const view = new DataView(pair.buffer);
    const start = Number(view.getBigUint64(0, true));
    const end = Number(view.getBigUint64(8, true));
    // Offsets come from disk: reversed, or past the end of the passages, they are damage, not a size to allocate.
    const size = (await this.passages.stat()).size;
    if (!(start <= end && end <= size)) {
      throw notAnIndex(
        this.dir,
        `${this.manifest.files.offsets} is damaged at passage ${index} (line [${start}, ${end}) in a file of ${size} bytes); rebuild the index.`,
      );
    }
    const line = new Uint8Array(end - start);
    const { bytesRead } = await this.passages.read(line, 0, line.length, start);
    const text = Buffer.from(line.subarray(0, bytesRead)).toString('utf8').replace(/\n$/, '');
    let passage: StoredPassage;
    try {
      passage = JSON.parse(text) as StoredPassage;
    } catch {
      throw notAnIndex(this.dir, `${this.manifest.files.passages} is damaged at passage ${index}; rebuild the index.`);
    }
    if (
      typeof passage !== 'object' ||
      passage === null ||
      typeof passage.text !== 'string' ||
      !['string', 'number'].includes(typeof passage.id)
    ) {
      throw notAnIndex(
        this.dir,
        `${this.manifest.files.passages} is damaged at passage ${index} (not an {"id", "title", "text"} object); rebuild the index.`,
      );
    }
    return passage;
  }

  async close(): Promise<void> {
    await Promise.all([this.embeddings.close(), this.passages.close(), this.offsets.close()]);
  }
}
