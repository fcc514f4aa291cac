/**
 * IEEE 754 half precision <-> single precision, for `embeddings.f16` (half the disk and read
 * bandwidth of float32; about 3 significant digits, enough to rank passages). Rounds to nearest,
 * ties to even, like numpy's `astype(np.float16)`.
 */
import { float16ToFloat32, float32ToFloat16 } from '../io/safetensors.js';

/** float32 → float16 bits, round to nearest even (the same conversion the weight writer uses). */
export const toHalf = float32ToFloat16;
/** float16 bits → float32, exactly. */
export const fromHalf = float16ToFloat32;

/** Little-endian bytes of a float32 vector as half precision. */
export function encodeHalf(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, toHalf(values[i]!), true);
  return out;
}

/** Decodes little-endian half-precision bytes into float32. */
export function decodeHalf(bytes: Uint8Array, out = new Float32Array(bytes.length / 2)): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = fromHalf(view.getUint16(i * 2, true));
  return out;
}
