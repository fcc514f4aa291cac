/**
 * Checksums of index files, per fixed-size chunk: a writer hashes as it appends (no second pass
 * over a 60 GB file), an append re-hashes only the last partial chunk, and a failed check names
 * the byte range that differs. Each file's record holds its length, so bytes past it (left by an
 * interrupted append) are not part of the file as recorded.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';

/** 64 MiB: a 21M-passage float32 matrix (64.5 GB) is ~1,000 chunk hashes. */
export const CHECKSUM_CHUNK_BYTES = 64 * 1024 * 1024;

export interface FileChecksum {
  /** Bytes covered (the file may be longer after an interrupted append). */
  bytes: number;
  chunk_bytes: number;
  /** sha256 (hex) of each chunk in order; the last may be partial. */
  sha256: string[];
}

/** Hashes a byte stream chunk by chunk as it is written. */
export class ChunkedHasher {
  private readonly done: string[] = [];
  private current: Hash = createHash('sha256');
  private inChunk = 0;
  private total = 0;

  constructor(private readonly chunkBytes = CHECKSUM_CHUNK_BYTES) {}

  update(data: Uint8Array): void {
    let from = 0;
    while (from < data.length) {
      const take = Math.min(this.chunkBytes - this.inChunk, data.length - from);
      this.current.update(data.subarray(from, from + take));
      this.inChunk += take;
      from += take;
      if (this.inChunk === this.chunkBytes) {
        this.done.push(this.current.digest('hex'));
        this.current = createHash('sha256');
        this.inChunk = 0;
      }
    }
    this.total += data.length;
  }

  /** The record so far (the hasher can go on being updated). */
  result(): FileChecksum {
    const sha256 = [...this.done];
    if (this.inChunk > 0 || this.total === 0) sha256.push(this.current.copy().digest('hex'));
    return { bytes: this.total, chunk_bytes: this.chunkBytes, sha256 };
  }
}

const READ_BYTES = 4 * 1024 * 1024;

/** Feeds bytes [from, to) of a file into `sink`, in reads of 4 MiB. */
async function readRange(path: string, from: number, to: number, sink: (data: Uint8Array) => void): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(READ_BYTES, Math.max(1, to - from)));
    for (let position = from; position < to;) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, to - position), position);
      if (bytesRead === 0) throw new Error(`${path} ended at byte ${position}, before ${to}`);
      sink(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** The checksum record of the first `bytes` bytes of a file (all of it by default). */
export async function checksumFile(path: string, bytes?: number, chunkBytes = CHECKSUM_CHUNK_BYTES): Promise<FileChecksum> {
  const length = bytes ?? (await stat(path)).size;
  const hasher = new ChunkedHasher(chunkBytes);
  await readRange(path, 0, length, (d) => hasher.update(d));
  return hasher.result();
}

/**
 * Continues a record over bytes appended after it: only the last partial chunk is read again.
 * `newLength` is the file's new recorded length.
 */
export async function extendChecksum(path: string, record: FileChecksum, newLength: number): Promise<FileChecksum> {
  const fullChunks = Math.floor(record.bytes / record.chunk_bytes);
  const kept = record.sha256.slice(0, fullChunks);
  const from = fullChunks * record.chunk_bytes;
  const tail = new ChunkedHasher(record.chunk_bytes);
  await readRange(path, from, newLength, (d) => tail.update(d));
  const rest = tail.result();
  // A file that ends on a chunk boundary keeps just its full chunks (an empty one, the empty hash).
  const sha256 = newLength > from ? [...kept, ...rest.sha256] : kept.length > 0 ? kept : rest.sha256;
  return { bytes: newLength, chunk_bytes: record.chunk_bytes, sha256 };
}

/** What is wrong with a file against its record (empty when it matches). */
export async function checkFile(path: string, record: FileChecksum): Promise<string[]> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return ['is missing'];
  }
  if (size < record.bytes) return [`has ${size} bytes but ${record.bytes} were recorded (truncated)`];
  const actual = await checksumFile(path, record.bytes, record.chunk_bytes);
  const problems: string[] = [];
  actual.sha256.forEach((h, i) => {
    if (h !== record.sha256[i]) {
      const start = i * record.chunk_bytes;
      problems.push(`bytes ${start}–${Math.min(record.bytes, start + record.chunk_bytes) - 1} differ from the recorded checksum`);
    }
  });
  if (actual.sha256.length !== record.sha256.length)
    problems.push(`the record lists ${record.sha256.length} chunks, the recorded length implies ${actual.sha256.length}`);
  return problems;
}
