/**
 * The safetensors reader on the bad inputs the conversion issue lists: overlapping offsets,
 * offsets past the end, offsets that disagree with shape × dtype, truncation, a wrong header length.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WeightLoadError } from '../../src/errors.js';
import { SafetensorsFile } from '../../src/io/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-st-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, header: unknown, dataBytes: number, headerLength?: bigint): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
  return path;
}

const CASES: Array<[string, unknown, number, RegExp, bigint?]> = [
  [
    'overlap.safetensors',
    { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
    12,
    /tensor "b" overlaps the tensor before it/,
  ],
  ['past-end.safetensors', { a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8, /tensor "a" runs past the end of the file/],
  ['shape.safetensors', { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8, /occupies 8 bytes but shape \[3\] of F32 needs 12/],
  ['dtype.safetensors', { a: { dtype: 'F16', shape: [4], data_offsets: [0, 16] } }, 16, /occupies 16 bytes but shape \[4\] of F16 needs 8/],
  ['unknown-dtype.safetensors', { a: { dtype: 'Q4', shape: [4], data_offsets: [0, 4] } }, 4, /unsupported dtype "Q4"/],
  ['hole.safetensors', { a: { dtype: 'U8', shape: [4], data_offsets: [4, 8] } }, 8, /hole of 4 bytes/],
  [
    'header-length.safetensors',
    { a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } },
    1,
    /header length 9007199254740993 exceeds/,
    9007199254740993n,
  ],
];

for (const [name, header, dataBytes, pattern, headerLength] of CASES) {
  test(`SafetensorsFile.open refuses ${name} with a WeightLoadError naming the file and the problem`, () => {
    const path = file(name, header, dataBytes, headerLength);
    assert.throws(
      () => SafetensorsFile.open(path),
      (e: unknown) => {
        assert.ok(e instanceof WeightLoadError, String(e));
        assert.match(e.message, pattern);
        assert.ok(e.message.startsWith(`${name}:`), e.message);
        return true;
      },
    );
  });
}
