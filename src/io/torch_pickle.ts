/**
 * What `torch.save` pickles for a state dict, and how the restricted unpickler turns it into
 * references: a persistent id names a storage (its key, dtype and element count, and for the
 * legacy format a view into another storage), `_rebuild_tensor_v2` a strided view into one. The
 * allow-list CHECKPOINT_GLOBALS is exactly the globals such a pickle names; anything else is
 * refused by the unpickler. No tensor bytes are touched here.
 */
import type { SafetensorsDtype } from './safetensors.js';
import { describe, PyGlobal, PyTuple, type GlobalHandler, type PyDict, type PyObject, type PyValue } from './unpickler.js';

/** torch's typed storage classes and the dtype of their elements. */
export const STORAGE_DTYPES: ReadonlyMap<string, SafetensorsDtype> = new Map<string, SafetensorsDtype>([
  ['torch.DoubleStorage', 'F64'],
  ['torch.FloatStorage', 'F32'],
  ['torch.HalfStorage', 'F16'],
  ['torch.BFloat16Storage', 'BF16'],
  ['torch.LongStorage', 'I64'],
  ['torch.IntStorage', 'I32'],
  ['torch.ShortStorage', 'I16'],
  ['torch.CharStorage', 'I8'],
  ['torch.ByteStorage', 'U8'],
  ['torch.BoolStorage', 'BOOL'],
]);

/** A storage as a persistent id names it: `numel` elements of `dtype`, possibly a view into a root storage. */
export interface StorageRef extends PyObject {
  readonly pyType: 'storage';
  /** The key of the storage that owns the bytes (zip entry name / legacy key). */
  readonly rootKey: string;
  readonly dtype: SafetensorsDtype;
  /** Element count of the root storage, as the persistent id declares it. */
  readonly rootNumel: number;
  /** Elements before this view within the root (legacy view_metadata; else 0). */
  readonly elementOffset: number;
  readonly numel: number;
}

/** What `_rebuild_tensor_v2` describes: a strided view into a storage. */
export interface TensorRef extends PyObject {
  readonly pyType: 'tensor';
  readonly storage: StorageRef;
  readonly storageOffset: number;
  readonly shape: number[];
  readonly stride: number[];
}

function isStorage(v: PyValue): v is StorageRef {
  return typeof v === 'object' && v !== null && 'pyType' in v && v.pyType === 'storage';
}

function isTensor(v: PyValue): v is TensorRef {
  return typeof v === 'object' && v !== null && 'pyType' in v && v.pyType === 'tensor';
}

function nonNegativeInt(v: PyValue, what: string, fail: (p: string) => never): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return fail(`${what} must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function intTuple(v: PyValue, what: string, fail: (p: string) => never): number[] {
  if (!(v instanceof PyTuple)) return fail(`${what} must be a tuple, got ${describe(v)}`);
  if (v.length > 64) return fail(`${what} has ${v.length} dimensions`);
  return v.items.map((x, i) => nonNegativeInt(x, `${what}[${i}]`, fail));
}

function rebuildTensor(args: PyValue[], fail: (p: string) => never, withGrad: boolean): TensorRef {
  const expected = withGrad ? [6, 7] : [4];
  if (!expected.includes(args.length)) fail(`expected ${expected.join(' or ')} arguments, got ${args.length}`);
  const [storage, offset, size, stride, requiresGrad, hooks] = args;
  if (!isStorage(storage!)) fail(`the first argument must be a storage, got ${describe(storage)}`);
  const shape = intTuple(size!, 'size', fail);
  const strides = intTuple(stride!, 'stride', fail);
  if (shape.length !== strides.length) fail(`size has ${shape.length} dimensions but stride has ${strides.length}`);
  if (withGrad) {
    if (typeof requiresGrad !== 'boolean') fail(`requires_grad must be a bool, got ${describe(requiresGrad)}`);
    if (!(hooks instanceof Map) || hooks.size !== 0) fail(`backward_hooks must be an empty OrderedDict, got ${describe(hooks)}`);
  }
  return {
    pyType: 'tensor',
    storage: storage as StorageRef,
    storageOffset: nonNegativeInt(offset!, 'storage_offset', fail),
    shape,
    stride: strides,
  };
}

/** The globals a state dict written by torch.save may name, and what each does here. */
export const CHECKPOINT_GLOBALS: ReadonlyMap<string, GlobalHandler> = new Map<string, GlobalHandler>([
  [
    'collections.OrderedDict',
    {
      call(args, fail) {
        if (args.length === 0) return new Map();
        const [items] = args;
        if (args.length !== 1 || !Array.isArray(items)) return fail(`expected no arguments or one list of pairs, got ${args.length}`);
        const dict: PyDict = new Map();
        for (const pair of items) {
          if (!(pair instanceof PyTuple) || pair.length !== 2) fail(`expected (key, value) pairs, got ${describe(pair)}`);
          dict.set((pair as PyTuple).items[0]!, (pair as PyTuple).items[1]!);
        }
        return dict;
      },
    },
  ],
  ['torch._utils._rebuild_tensor_v2', { call: (args, fail) => rebuildTensor(args, fail, true) }],
  ['torch._utils._rebuild_tensor', { call: (args, fail) => rebuildTensor(args, fail, false) }],
  [
    'torch._utils._rebuild_parameter',
    {
      call(args, fail) {
        if (args.length !== 3 || !isTensor(args[0]!))
          return fail(`expected (tensor, requires_grad, backward_hooks), got ${args.length} arguments`);
        return args[0]!;
      },
    },
  ],
  [
    'torch._utils._rebuild_parameter_with_state',
    {
      call(args, fail) {
        if (args.length !== 4 || !isTensor(args[0]!))
          return fail(`expected (tensor, requires_grad, backward_hooks, state), got ${args.length} arguments`);
        const state = args[3]!;
        if (!(state === null || (state instanceof Map && state.size === 0)))
          return fail(`parameter state ${describe(state)} is not supported`);
        return args[0]!;
      },
    },
  ],
  // Storage classes appear only as the storage_type of a persistent id; they cannot be called.
  ...[...STORAGE_DTYPES.keys()].map((name): [string, GlobalHandler] => [name, {}]),
]);

/** Builds the StorageRef a persistent id describes; `legacy` ids carry view_metadata. */
export function storageFromPid(pid: PyValue, legacy: boolean, fail: (p: string) => never): StorageRef {
  const length = legacy ? 6 : 5;
  if (!(pid instanceof PyTuple) || pid.length !== length) {
    return fail(
      `persistent id ${describe(pid)} is not a ${length}-tuple ('storage', storage_type, key, location, numel${legacy ? ', view_metadata' : ''})`,
    );
  }
  const [tag, type, key, location, numel, view] = pid.items;
  if (tag !== 'storage') fail(`persistent id tag ${describe(tag)} is not "storage"`);
  const dtype = type instanceof PyGlobal ? STORAGE_DTYPES.get(type.qualname) : undefined;
  if (dtype === undefined) fail(`persistent id storage type ${describe(type)} is not a torch storage class`);
  if (typeof key !== 'string' || key.length === 0 || key.length > 256) fail(`storage key ${describe(key)} is not a short string`);
  if (typeof location !== 'string') fail(`storage location ${describe(location)} is not a string`);
  const rootNumel = nonNegativeInt(numel!, 'storage numel', fail);
  if (!legacy || view === null) {
    return { pyType: 'storage', rootKey: key as string, dtype: dtype!, rootNumel, elementOffset: 0, numel: rootNumel };
  }
  if (!(view instanceof PyTuple) || view.length !== 3) return fail(`view_metadata ${describe(view)} is not (view_key, offset, size)`);
  const offset = nonNegativeInt(view.items[1]!, 'view offset', fail);
  const size = nonNegativeInt(view.items[2]!, 'view size', fail);
  if (offset + size > rootNumel) fail(`storage view [${offset}, ${offset + size}) lies outside its ${rootNumel}-element root storage`);
  return { pyType: 'storage', rootKey: key as string, dtype: dtype!, rootNumel, elementOffset: offset, numel: size };
}

/** The state dict of a parsed pickle: string keys to tensors, nothing else. */
export function stateDictOf(value: PyValue, fail: (p: string) => never): Map<string, TensorRef> {
  if (!(value instanceof Map)) {
    return fail(
      `the pickled object is ${describe(value)}, not a state dict (an OrderedDict of tensors); save model.state_dict(), not a model or a training checkpoint`,
    );
  }
  const tensors = new Map<string, TensorRef>();
  for (const [k, v] of value) {
    if (typeof k !== 'string') fail(`state dict key ${describe(k)} is not a string`);
    if (!isTensor(v)) fail(`state dict entry "${String(k)}" is ${describe(v)}, not a tensor`);
    tensors.set(k as string, v as TensorRef);
  }
  return tensors;
}
