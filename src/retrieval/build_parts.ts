/**
 * The three part files of an index build in `OUT/.build/` (embeddings, passage lines, line
 * offsets): cut back to a checkpoint, appended one shard at a time and flushed before the shard's
 * checkpoint is written, then closed and renamed into the index directory.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFloat16 } from '../io/float16.js';
import { BYTES_PER_VALUE, EMBEDDING_FILES, OFFSETS_FILE, PASSAGES_FILE, passageLine, type EmbeddingDtype } from './index_format.js';

const PARTS = { embeddings: 'embeddings.part', passages: 'passages.part', offsets: 'offsets.part' } as const;
type Part = keyof typeof PARTS;

/** Where the part files end: what a checkpoint records, and where the next shard is appended. */
export interface PartsState {
  passagesDone: number;
  passagesBytes: number;
  dim: number | null;
}

export class BuildParts {
  private readonly fds: Record<Part, number>;
  private readonly bytesPer: number;
  private embeddingsBytes: number;
  private offsetsBytes: number;
  private closed = false;
  readonly state: PartsState;

  /** Opens (or creates) the parts in `staging` and drops whatever was written after `state`. */
  constructor(
    private readonly staging: string,
    private readonly dtype: EmbeddingDtype,
    state: PartsState,
  ) {
    const open = (part: Part): number => openSync(join(staging, PARTS[part]), existsSync(join(staging, PARTS[part])) ? 'r+' : 'w+');
    this.fds = { embeddings: open('embeddings'), passages: open('passages'), offsets: open('offsets') };
    this.state = { ...state };
    this.bytesPer = BYTES_PER_VALUE[dtype];
    this.embeddingsBytes = state.passagesDone * (state.dim ?? 0) * this.bytesPer;
    this.offsetsBytes = state.passagesDone * 8;
    try {
      ftruncateSync(this.fds.embeddings, this.embeddingsBytes);
      ftruncateSync(this.fds.passages, state.passagesBytes);
      ftruncateSync(this.fds.offsets, this.offsetsBytes);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** sha256 of the passage lines already stored, to check a resumed corpus against. */
  storedPassagesHash(): string {
    return hashFilePrefix(this.fds.passages, this.state.passagesBytes);
  }

  /** Appends one embedded shard to the three parts and flushes them to disk. */
  appendShard(items: readonly PassageLike[], vectors: readonly Float32Array[]): void {
    this.state.dim ??= vectors[0]!.length;
    const vectorBytes = this.encodeVectors(vectors, this.state.dim);
    const lines: Buffer[] = [];
    const offsets = new Uint8Array(items.length * 8);
    const offsetView = new DataView(offsets.buffer);
    let position = this.state.passagesBytes;
    items.forEach((p, r) => {
      const line = Buffer.from(passageLine(p) + '\n', 'utf8');
      offsetView.setBigUint64(r * 8, BigInt(position), true);
      position += line.length;
      lines.push(line);
    });
    const passageBytes = Buffer.concat(lines);
    writeAll(this.fds.embeddings, vectorBytes, this.embeddingsBytes);
    writeAll(this.fds.passages, passageBytes, this.state.passagesBytes);
    writeAll(this.fds.offsets, offsets, this.offsetsBytes);
    for (const fd of Object.values(this.fds)) fdatasyncSync(fd);
    this.embeddingsBytes += vectorBytes.length;
    this.state.passagesBytes += passageBytes.length;
    this.offsetsBytes += offsets.length;
    this.state.passagesDone += items.length;
  }

  private encodeVectors(vectors: readonly Float32Array[], dim: number): Uint8Array {
    const bytes = new Uint8Array(vectors.length * dim * this.bytesPer);
    const view = new DataView(bytes.buffer);
    vectors.forEach((v, r) => {
      if (v.length !== dim) throw new Error(`the embedder returned a vector of ${v.length} values after vectors of ${dim}`);
      if (this.dtype === 'float16') bytes.set(encodeFloat16(v), r * dim * 2);
      else for (let i = 0; i < v.length; i++) view.setFloat32((r * dim + i) * 4, v[i]!, true);
    });
    return bytes;
  }

  /** Writes the offset that closes the last line, checks the sizes, and closes the parts. */
  seal(): void {
    const last = new Uint8Array(8);
    new DataView(last.buffer).setBigUint64(0, BigInt(this.state.passagesBytes), true);
    writeAll(this.fds.offsets, last, this.offsetsBytes);
    fdatasyncSync(this.fds.offsets);
    if (fstatSync(this.fds.embeddings).size !== this.state.passagesDone * (this.state.dim ?? 0) * this.bytesPer) {
      throw new Error('embedding part has an unexpected size');
    }
    this.close();
  }

  /** Renames the sealed parts into `outDir` under their index names, removing another dtype's embeddings. */
  moveInto(outDir: string): void {
    const embeddingsFile = EMBEDDING_FILES[this.dtype];
    renameSync(join(this.staging, PARTS.embeddings), join(outDir, embeddingsFile));
    renameSync(join(this.staging, PARTS.passages), join(outDir, PASSAGES_FILE));
    renameSync(join(this.staging, PARTS.offsets), join(outDir, OFFSETS_FILE));
    // An index overwritten with the other dtype would leave the old embedding file behind.
    for (const file of Object.values(EMBEDDING_FILES)) {
      if (file !== embeddingsFile) rmSync(join(outDir, file), { force: true });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of Object.values(this.fds)) closeSync(fd);
  }
}

type PassageLike = Parameters<typeof passageLine>[0];

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
