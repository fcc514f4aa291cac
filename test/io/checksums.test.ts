import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ChunkedHasher, checkFile, checksumFile, extendChecksum } from '../../src/io/checksums.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-checksums-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

test('hashing while writing equals hashing the file; an append re-hashes only the tail', async () => {
  const path = join(dir, 'a.bin');
  const data = bytes(1000, 1);
  writeFileSync(path, data);
  const hasher = new ChunkedHasher(256);
  hasher.update(data.subarray(0, 300));
  hasher.update(data.subarray(300));
  const whole = await checksumFile(path, undefined, 256);
  assert.deepEqual(hasher.result(), whole);
  assert.equal(whole.sha256.length, 4);
  appendFileSync(path, bytes(300, 2));
  assert.deepEqual(await extendChecksum(path, whole, 1300), await checksumFile(path, undefined, 256));
  assert.deepEqual(await checkFile(path, whole), [], 'bytes past the recorded length are not part of the file');
});

test('checkFile names the damaged chunk, a truncation and a missing file', async () => {
  const path = join(dir, 'b.bin');
  writeFileSync(path, bytes(1000, 3));
  const record = await checksumFile(path, undefined, 256);
  const flipped = bytes(1000, 3);
  flipped[600]! ^= 1;
  writeFileSync(path, flipped);
  assert.deepEqual(await checkFile(path, record), ['bytes 512–767 differ from the recorded checksum']);
  truncateSync(path, 999);
  assert.deepEqual(await checkFile(path, record), ['has 999 bytes but 1000 were recorded (truncated)']);
  assert.deepEqual(await checkFile(join(dir, 'none'), record), ['is missing']);
});
