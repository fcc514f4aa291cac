/**
 * float16 <-> float32 (src/io/float16.ts), the one conversion behind float16 weights and
 * `embeddings.f16` indexes: known bit patterns, ties to even, the public names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFloat16, encodeFloat16, float16ToFloat32, float32ToFloat16 } from '../../src/io/float16.js';
import * as publicApi from '../../src/index.js';

test('known bit patterns and round trip', () => {
  assert.equal(float32ToFloat16(1), 0x3c00);
  assert.equal(float32ToFloat16(-2), 0xc000);
  assert.equal(float32ToFloat16(65504), 0x7bff);
  assert.equal(float32ToFloat16(1e6), 0x7c00);
  assert.equal(float32ToFloat16(2 ** -24), 0x0001);
  assert.equal(float32ToFloat16(1 + 2 ** -11), 0x3c00); // tie rounds to even
  assert.equal(float32ToFloat16(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(float32ToFloat16(NaN) & 0x7e00, 0x7e00);
  assert.equal(float16ToFloat32(0x3555), 0.333251953125);
  assert.equal(float16ToFloat32(0xfc00), -Infinity);
  const values = new Float32Array([0, -0.5, 3.140625, 1234, -6e-5]);
  assert.deepEqual(Array.from(decodeFloat16(encodeFloat16(values))), [0, -0.5, 3.140625, 1234, float16ToFloat32(float32ToFloat16(-6e-5))]);
});

test('every finite float16 survives float16 → float32 → float16', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), (bits) => {
      if ((bits & 0x7c00) === 0x7c00) return; // Inf and NaN
      assert.equal(float32ToFloat16(float16ToFloat32(bits)), bits);
    }),
  );
});

test('the package exports the float16 functions under these names only', () => {
  assert.equal(publicApi.float32ToFloat16, float32ToFloat16);
  assert.equal(publicApi.decodeFloat16, decodeFloat16);
  assert.equal('toHalf' in publicApi, false);
  assert.equal('decodeHalf' in publicApi, false);
});
