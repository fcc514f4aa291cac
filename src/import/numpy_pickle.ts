/**
 * The numpy objects a DPR embedding shard holds, rebuilt by the restricted unpickler from an
 * allow-list of exactly the globals numpy's pickling writes for a 1-D float32 array — and nothing
 * that runs code. `generate_dense_embeddings.py` pickles `[(id, vector), …]`; numpy writes each
 * vector as one of:
 * - protocols 2–4: `_reconstruct(ndarray, (0,), b'b')` then BUILD with the state
 *   `(1, shape, dtype, is_fortran, raw_bytes)` (protocol 2 spells the bytes
 *   `_codecs.encode(latin1_text, 'latin1')`);
 * - protocol 5: `_frombuffer(buffer, dtype, shape, order)` with the buffer in-band (BYTEARRAY8);
 * and the dtype as `dtype('f4', False, True)` then BUILD with `(3, byteorder, …)`. numpy 1.x names
 * the module `numpy.core.*`, numpy 2.x `numpy._core.*`; both are published.
 */
import { describe, PyTuple, type GlobalHandler, type PyObject, type PyValue, type UnpicklePolicy } from '../io/unpickler.js';

type Fail = (problem: string) => never;

/** numpy.dtype('f4'…) after its BUILD: only what is needed to read float32 bytes. */
export class NumpyDtype implements PyObject {
  readonly pyType = 'numpy.dtype';
  /** '<' little, '>' big, '|' not applicable, '=' native. */
  byteOrder = '=';
  constructor(readonly code: string) {}

  setState(state: PyValue): void {
    if (state instanceof PyTuple && typeof state.items[1] === 'string') this.byteOrder = state.items[1];
  }

  get isFloat32(): boolean {
    return this.code === 'f4' && this.byteOrder !== '>';
  }

  get isBigEndianFloat32(): boolean {
    return this.code === 'f4' && this.byteOrder === '>';
  }
}

/** A numpy array as rebuilt: its shape and, when it is float32, its values. */
export class NumpyArray implements PyObject {
  readonly pyType = 'numpy.ndarray';
  shape: number[] = [];
  dtype: NumpyDtype | undefined;
  values: Float32Array | undefined;

  constructor(private readonly fail: Fail) {}

  /** ndarray.__setstate__((version, shape, dtype, is_fortran, raw)). */
  setState(state: PyValue): void {
    if (!(state instanceof PyTuple) || state.length !== 5) this.fail(`an ndarray state must be a 5-tuple, found ${describe(state)}`);
    const [, shape, dtype, , raw] = (state as PyTuple).items;
    this.fill(shape!, dtype!, raw!);
  }

  fill(shape: PyValue, dtype: PyValue, raw: PyValue): void {
    if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
      this.fail(`an ndarray shape must be a tuple of sizes, found ${describe(shape)}`);
    }
    if (!(dtype instanceof NumpyDtype)) this.fail(`an ndarray dtype must be a numpy.dtype, found ${describe(dtype)}`);
    if (!(raw instanceof Uint8Array)) this.fail(`an ndarray's data must be bytes, found ${describe(raw)}`);
    this.shape = (shape as PyTuple).items as number[];
    this.dtype = dtype as NumpyDtype;
    const bytes = raw as Uint8Array;
    if (!this.dtype.isFloat32 && !this.dtype.isBigEndianFloat32) return; // the shard reader names the dtype
    const n = this.shape.reduce((a, b) => a * b, 1);
    if (bytes.length !== n * 4)
      this.fail(`an ndarray of shape (${this.shape.join(', ')}) float32 needs ${n * 4} bytes, found ${bytes.length}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const little = this.dtype.isFloat32;
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(i * 4, little);
    this.values = values;
  }
}

const reconstruct: GlobalHandler = {
  call(args, fail) {
    const [cls, , typecode] = args;
    if (args.length !== 3 || !(typeof cls === 'object' && cls !== null && 'qualname' in cls && cls.qualname === 'numpy.ndarray')) {
      fail(`expected _reconstruct(numpy.ndarray, (0,), b'b'), found ${args.length} arguments starting with ${describe(cls)}`);
    }
    if (!(typecode instanceof Uint8Array)) fail(`_reconstruct's typecode must be bytes, found ${describe(typecode)}`);
    return new NumpyArray(fail);
  },
};

const fromBuffer: GlobalHandler = {
  call(args, fail) {
    const [buffer, dtype, shape, order] = args;
    if (args.length !== 4 || order !== 'C')
      fail(`expected _frombuffer(buffer, dtype, shape, 'C'), found ${args.length} arguments, order ${describe(order)}`);
    const array = new NumpyArray(fail);
    array.fill(shape!, dtype!, buffer!);
    return array;
  },
};

const dtype: GlobalHandler = {
  call(args, fail) {
    const [code, align, copy] = args;
    if (typeof code !== 'string' || args.length !== 3 || align !== false || copy !== true) {
      fail(`expected dtype(code, False, True), found ${args.map(describe).join(', ')}`);
    }
    return new NumpyDtype(code as string);
  },
};

/** Python 3 writes bytes at protocol 2 as `_codecs.encode(text, 'latin1')`: the text's code units are the bytes. */
const codecsEncode: GlobalHandler = {
  call(args, fail) {
    const [text, encoding] = args;
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
      fail(`only _codecs.encode(text, 'latin1') is accepted (how protocol 2 writes bytes), found ${args.map(describe).join(', ')}`);
    }
    const s = text as string;
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) fail('a latin1 text holds a character above U+00FF');
      out[i] = c;
    }
    return out;
  },
};

/** The globals a DPR embedding shard may name, and what each does here. */
export const NUMPY_SHARD_GLOBALS: ReadonlyMap<string, GlobalHandler> = new Map<string, GlobalHandler>([
  ['numpy.core.multiarray._reconstruct', reconstruct],
  ['numpy._core.multiarray._reconstruct', reconstruct],
  ['numpy.core.numeric._frombuffer', fromBuffer],
  ['numpy._core.numeric._frombuffer', fromBuffer],
  ['numpy.ndarray', {}],
  ['numpy.dtype', dtype],
  ['_codecs.encode', codecsEncode],
]);

export const NUMPY_SHARD_POLICY: UnpicklePolicy = {
  globals: NUMPY_SHARD_GLOBALS,
  fileKind: 'a DPR embedding shard',
  refusalHint: 'a DPR embedding shard is a list of (id, float32 numpy vector) tuples and names nothing else',
};
