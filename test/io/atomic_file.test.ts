/**
 * The one atomic, durable file writer (src/io/atomic_file.ts) behind the hub cache's refs, the
 * index manifest and checkpoint, and safetensors files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicWith, writeAll } from '../../src/io/atomic_file.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-dpr-atomic-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('writes strings and bytes, replacing the old content, and leaves no temporary file', () => {
  withDir((dir) => {
    const path = join(dir, 'manifest.json');
    writeFileAtomic(path, 'old');
    writeFileAtomic(path, 'new ✓');
    assert.equal(readFileSync(path, 'utf8'), 'new ✓');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    assert.deepEqual([...readFileSync(path)], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir), ['manifest.json']);
  });
});

test('a writer that fails leaves the old file untouched and removes its temporary file', () => {
  withDir((dir) => {
    const path = join(dir, 'model.safetensors');
    writeFileSync(path, 'complete old file');
    assert.throws(
      () =>
        writeFileAtomicWith(path, (fd) => {
          writeAll(fd, Buffer.from('half of a new'));
          throw new Error('the source ran dry');
        }),
      /the source ran dry/,
    );
    assert.equal(readFileSync(path, 'utf8'), 'complete old file');
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  });
});

test('a missing directory is an error, not created behind the caller', () => {
  withDir((dir) => {
    assert.throws(() => writeFileAtomic(join(dir, 'no', 'such', 'file'), 'x'), { code: 'ENOENT' });
    assert.deepEqual(readdirSync(dir), []);
  });
});
