/**
 * IEEE 754 half precision <-> single precision, for `embeddings.f16` (half the disk and read
 * bandwidth of float32; about 3 significant digits, enough to rank passages). Rounds to nearest,
 * ties to even, like numpy's `astype(np.float16)`.
 */
import { decodeFloat16, encodeFloat16, float16ToFloat32, float32ToFloat16 } from '../io/safetensors.js';

/** float32 → float16 bits, round to nearest even (the same conversion the weight writer uses). */
export const toHalf = float32ToFloat16;
/** float16 bits → float32, exactly. */
export const fromHalf = float16ToFloat32;
/** Little-endian bytes of a float32 vector as half precision. */
export const encodeHalf = encodeFloat16;
/** Decodes little-endian half-precision bytes into float32. */
export const decodeHalf = decodeFloat16;
