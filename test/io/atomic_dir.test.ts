/**
 * writeDirectoryAtomic: a directory is replaced whole or not at all, and keeps the files the
 * writer did not produce.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDirectoryAtomic } from '../../src/io/atomic_dir.js';

test('a new directory appears with exactly what the writer wrote', () => {
  const root = mkdtempSync(join(tmpdir(), 'dpr-atomic-dir-'));
  const dir = join(root, 'a', 'b');
  writeDirectoryAtomic(dir, (tmp) => writeFileSync(join(tmp, 'x.txt'), 'new'));
  assert.deepEqual(readdirSync(dir), ['x.txt']);
  assert.deepEqual(readdirSync(join(root, 'a')), ['b'], 'no temporary directory is left behind');
});

test('replacing keeps files the writer did not write, including subdirectories, and overwrites the ones it did', () => {
  const root = mkdtempSync(join(tmpdir(), 'dpr-atomic-dir-'));
  const dir = join(root, 'model');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'x.txt'), 'old');
  writeFileSync(join(dir, 'vocab.txt'), 'kept');
  writeFileSync(join(dir, 'sub', 'y.txt'), 'kept too');
  writeDirectoryAtomic(dir, (tmp) => writeFileSync(join(tmp, 'x.txt'), 'new'));
  assert.deepEqual(readdirSync(dir).sort(), ['sub', 'vocab.txt', 'x.txt']);
  assert.equal(readFileSync(join(dir, 'x.txt'), 'utf8'), 'new');
  assert.equal(readFileSync(join(dir, 'vocab.txt'), 'utf8'), 'kept');
  assert.equal(readFileSync(join(dir, 'sub', 'y.txt'), 'utf8'), 'kept too');
  assert.deepEqual(readdirSync(root), ['model']);
});

test('a writer that fails leaves the old directory exactly as it was and no temporary directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'dpr-atomic-dir-'));
  const dir = join(root, 'model');
  mkdirSync(dir);
  writeFileSync(join(dir, 'x.txt'), 'old');
  assert.throws(
    () =>
      writeDirectoryAtomic(dir, (tmp) => {
        writeFileSync(join(tmp, 'x.txt'), 'half');
        throw new Error('disk full');
      }),
    /disk full/,
  );
  assert.deepEqual(readdirSync(dir), ['x.txt']);
  assert.equal(readFileSync(join(dir, 'x.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(root), ['model']);
});
