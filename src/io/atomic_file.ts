/**
 * Files that readers see whole or not at all, and that survive a crash once written: the bytes go
 * to a unique temporary file beside the target, are fsynced, renamed over the target, and the
 * directory is fsynced so the rename itself is on disk. Used for the hub cache's refs, the index
 * manifest and checkpoint, and safetensors files.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/** Writes all of `data` at the file descriptor's position. */
export function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done);
}

/**
 * Creates `path` atomically and durably from what `write` writes to the open descriptor (which
 * may be many pieces, e.g. one tensor at a time). On any failure the temporary file is removed
 * and `path` keeps its old content.
 */
export function writeFileAtomicWith(path: string, write: (fd: number) => void): void {
  // Unique per call, so two writers (processes or calls) never share a temporary file.
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

/** Writes `data` to `path` so that readers see either the old content or the whole new one. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFileAtomicWith(path, (fd) => writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
}

/** fsyncs a directory so renames in it survive a crash (a no-op where directories cannot be opened). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
