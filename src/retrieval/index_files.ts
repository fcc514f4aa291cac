/**
 * Writing the files of an index directory (index_format.ts) from rows that already have vectors
 * — imported embeddings, merged shards, added passages — with the checksums `verifyIndex` checks
 * recorded as the bytes are written. The files are written into a staging directory and moved
 * into place by `commitIndex`, which writes manifest.json last: an interrupted write leaves no
 * directory that a search accepts.
 */
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { syncDir, writeFileAtomic } from '../io/atomic_file.js';
import { ChunkedHasher, type FileChecksum } from '../io/checksums.js';
import { encodeFloat16 } from '../io/float16.js';
import {
  EMBEDDING_FILES,
  MANIFEST_FILE,
  OFFSETS_FILE,
  PASSAGES_FILE,
  passageLine,
  type EmbeddingDtype,
  type IndexManifest,
} from './index_format.js';

/** A passage with its vector, as the index files store it (an id keeps its JSON type). */
export interface PassageWithVector {
  id: string | number;
  title?: string;
  text: string;
  vector: Float32Array;
}

interface OpenFile {
  fd: number;
  bytes: number;
  hasher: ChunkedHasher;
}

function openFile(path: string): OpenFile {
  return { fd: openSync(path, 'w'), bytes: 0, hasher: new ChunkedHasher() };
}

function append(file: OpenFile, data: Uint8Array): void {
  let written = 0;
  while (written < data.length) written += writeSync(file.fd, data, written, data.length - written, file.bytes + written);
  file.bytes += data.length;
  file.hasher.update(data);
}

export interface WrittenFiles {
  count: number;
  dim: number;
  dtype: EmbeddingDtype;
  files: IndexManifest['files'];
  checksums: Record<string, FileChecksum>;
}

/** Appends rows to the embeddings, passages and offsets files of a staging directory. */
export class IndexFilesWriter {
  private readonly embeddings: OpenFile;
  private readonly passages: OpenFile;
  private readonly offsets: OpenFile;
  private count = 0;
  private dim: number | undefined;
  private closed = false;

  constructor(
    readonly stagingDir: string,
    readonly dtype: EmbeddingDtype,
  ) {
    mkdirSync(stagingDir, { recursive: true });
    this.embeddings = openFile(join(stagingDir, EMBEDDING_FILES[dtype]));
    this.passages = openFile(join(stagingDir, PASSAGES_FILE));
    this.offsets = openFile(join(stagingDir, OFFSETS_FILE));
  }

  get rows(): number {
    return this.count;
  }

  /** Appends one batch (rows keep their order; an id keeps its JSON type, as a build stores it). */
  append(rows: readonly PassageWithVector[]): void {
    if (rows.length === 0) return;
    const dim = (this.dim ??= rows[0]!.vector.length);
    const bytesPer = this.dtype === 'float16' ? 2 : 4;
    const vectors = new Uint8Array(rows.length * dim * bytesPer);
    const view = new DataView(vectors.buffer);
    const offsets = new Uint8Array(rows.length * 8);
    const offsetView = new DataView(offsets.buffer);
    const lines: Buffer[] = [];
    let position = this.passages.bytes;
    rows.forEach((row, r) => {
      if (row.vector.length !== dim)
        throw new InputError(`passage ${JSON.stringify(row.id)} has a vector of ${row.vector.length} values, the others ${dim}.`);
      if (this.dtype === 'float16') vectors.set(encodeFloat16(row.vector), r * dim * 2);
      else for (let i = 0; i < dim; i++) view.setFloat32((r * dim + i) * 4, row.vector[i]!, true);
      const line = Buffer.from(passageLine(row) + '\n', 'utf8');
      offsetView.setBigUint64(r * 8, BigInt(position), true);
      position += line.length;
      lines.push(line);
    });
    append(this.embeddings, vectors);
    append(this.passages, Buffer.concat(lines));
    append(this.offsets, offsets);
    this.count += rows.length;
  }

  /** Closes the offsets with the end of the last passage, flushes, and returns what was written. */
  finish(): WrittenFiles {
    if (this.count === 0 || this.dim === undefined) throw new InputError('there are no passages to write.');
    const last = new Uint8Array(8);
    new DataView(last.buffer).setBigUint64(0, BigInt(this.passages.bytes), true);
    append(this.offsets, last);
    const files = { embeddings: EMBEDDING_FILES[this.dtype], passages: PASSAGES_FILE, offsets: OFFSETS_FILE };
    const checksums = {
      [files.embeddings]: this.embeddings.hasher.result(),
      [files.passages]: this.passages.hasher.result(),
      [files.offsets]: this.offsets.hasher.result(),
    };
    for (const f of [this.embeddings, this.passages, this.offsets]) fdatasyncSync(f.fd);
    this.close();
    return { count: this.count, dim: this.dim, dtype: this.dtype, files, checksums };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const f of [this.embeddings, this.passages, this.offsets]) closeSync(f.fd);
  }
}

/**
 * Makes sure `outDir` can receive a new index: refused when it holds one unless `overwrite`, in
 * which case its manifest is removed first (the directory stops being an index before any file
 * changes).
 */
export function prepareOutDir(outDir: string, overwrite: boolean | undefined): void {
  mkdirSync(outDir, { recursive: true });
  const manifest = join(outDir, MANIFEST_FILE);
  if (!existsSync(manifest)) return;
  if (overwrite !== true)
    throw new InputError(
      `${outDir} already holds an index (${MANIFEST_FILE}); set \`overwrite: true\` to replace it, or choose another \`outDir\`.`,
    );
  unlinkSync(manifest);
  syncDir(outDir);
}

/** Moves the staged files into `outDir`, writes the manifest last, and removes the staging directory. */
export function commitIndex(outDir: string, stagingDir: string, manifest: IndexManifest, extraFiles: readonly string[] = []): void {
  const moved = [manifest.files.embeddings, manifest.files.passages, manifest.files.offsets, ...extraFiles];
  for (const file of moved) renameSync(join(stagingDir, file), join(outDir, file));
  // A replaced index of the other dtype would leave its embedding file behind.
  for (const file of Object.values(EMBEDDING_FILES)) if (!moved.includes(file)) rmSync(join(outDir, file), { force: true });
  syncDir(outDir);
  writeFileAtomic(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  rmSync(stagingDir, { recursive: true, force: true });
}
