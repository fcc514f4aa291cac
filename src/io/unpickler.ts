/**
 * A restricted unpickler: it reads the data opcodes of Python's pickle protocols 0–5 and nothing
 * that could run code. A pickle is untrusted input, so:
 * - every global must be on the caller's allow-list (`UnpicklePolicy.globals`); any other
 *   `GLOBAL`/`STACK_GLOBAL` is a WeightLoadError naming it, before anything is called;
 * - "calling" an allowed global runs the caller's TypeScript handler, never Python semantics;
 * - opcodes that import or instantiate by name without the allow-list (INST, OBJ, EXT*, NEWOBJ_EX),
 *   out-of-band buffers, sets, and the text string opcodes (which need Python's escape decoder) are
 *   refused;
 * - every length is checked against the bytes that remain before anything is allocated, integers
 *   are limited to 64 bytes, and each opcode consumes at least one byte and pushes at most one
 *   value, so time and memory stay linear in the input size.
 * Laid out as CPython's `Lib/pickle.py` `_Unpickler`: a stack machine whose `load()` looks each
 * opcode up in a dispatch table of small handlers, one per opcode name (pickle_opcodes.ts).
 */
import { basename } from 'node:path';
import { WeightLoadError } from '../errors.js';
import { PickleInput } from './pickle_input.js';
import { OP, opcodeName, type OpName } from './pickle_opcodes.js';
import { describe, PyGlobal, PyTuple, type PyDict, type PyValue, type UnpicklePolicy, type UnpickleResult } from './pickle_values.js';

export { MAX_INT_BYTES, PickleTruncatedError } from './pickle_input.js';
export {
  describe,
  PyGlobal,
  PyTuple,
  type GlobalHandler,
  type PyDict,
  type PyObject,
  type PyValue,
  type UnpicklePolicy,
  type UnpickleResult,
} from './pickle_values.js';

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

/**
 * Reads one pickle from `data` starting at `start`. `file` names the source in error messages.
 * Throws WeightLoadError (PickleTruncatedError when the bytes end before STOP).
 */
export function unpickle(data: Uint8Array, policy: UnpicklePolicy, file: string, start = 0): UnpickleResult {
  return new Unpickler(data, policy, file, start).load();
}

/** The machine's state; the handlers in DISPATCH operate on it (so its members are not private). */
class Unpickler {
  readonly in: PickleInput;
  opStart = 0;
  stack: StackItem[] = [];
  readonly metastack: StackItem[][] = [];
  readonly memo = new Map<number, PyValue>();

  constructor(
    data: Uint8Array,
    readonly policy: UnpicklePolicy,
    readonly file: string,
    start: number,
  ) {
    this.in = new PickleInput(data, file, start, this.fail);
  }

  readonly fail = (problem: string): never => {
    throw new WeightLoadError(`${basename(this.file)}: pickle opcode at byte ${this.opStart}: ${problem} (file ${this.file}).`);
  };

  load(): UnpickleResult {
    for (;;) {
      this.opStart = this.in.pos;
      if (this.in.atEnd) this.in.need(1, 'the next opcode (no STOP yet)');
      const op = this.in.u8();
      if (op === OP.STOP) return { value: this.pop('STOP'), end: this.in.pos };
      const handler = DISPATCH[op];
      if (handler === undefined) this.fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')} (not a pickle, or a corrupt one)`);
      handler!(this);
    }
  }

  push(v: StackItem): void {
    this.stack.push(v);
  }

  pop(what: string): PyValue {
    if (this.stack.length === 0) this.fail(`${what}: the stack is empty`);
    const v = this.stack.pop()!;
    if (v === MARK) this.fail(`${what}: found a MARK where a value was expected`);
    return v as PyValue;
  }

  top(what: string): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined) this.fail(`${what}: the stack is empty`);
    if (v === MARK) this.fail(`${what}: found a MARK where a value was expected`);
    return v as PyValue;
  }

  pushMark(): void {
    this.metastack.push(this.stack);
    this.stack = [];
  }

  popMark(what: string): PyValue[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (previous === undefined) this.fail(`${what} without a preceding MARK`);
    this.stack = previous!;
    return items as PyValue[];
  }

  memoGet(index: number): PyValue {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`memo entry ${index} was never stored`);
    return v!;
  }

  memoPut(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0) this.fail(`invalid memo index ${index}`);
    this.memo.set(index, this.top('PUT'));
  }

  global(module: string, name: string): PyGlobal {
    const qualname = `${module}.${name}`;
    const handler = this.policy.globals.get(qualname);
    if (handler === undefined) {
      const kind = this.policy.fileKind ?? 'a checkpoint';
      const hint = this.policy.refusalHint ?? 'this file is not a plain state dict';
      this.fail(
        `refusing global ${JSON.stringify(qualname)}: only ${[...this.policy.globals.keys()].join(', ')} may appear in ${kind} ` +
          `(a pickle that names any other global could run code when loaded by Python; ${hint})`,
      );
    }
    return new PyGlobal(qualname, handler!);
  }

  call(callable: PyValue, args: PyValue, opcode: OpName): PyValue {
    if (!(callable instanceof PyGlobal)) return this.fail(`${opcode} on ${describe(callable)}, which is not a callable global`);
    if (!(args instanceof PyTuple)) return this.fail(`${opcode} arguments for ${callable.qualname} are ${describe(args)}, not a tuple`);
    if (callable.handler.call === undefined) return this.fail(`${opcode}: ${callable.qualname} cannot be called here`);
    return callable.handler.call(args.items, (problem) => this.fail(`${callable.qualname}: ${problem}`));
  }

  build(target: PyValue, state: PyValue): void {
    if (target instanceof Map) {
      // An OrderedDict's instance attributes (torch's `_metadata` of module versions): accepted
      // only as a dict of string keys, and not needed for the tensors, so not kept.
      if (state instanceof Map && [...state.keys()].every((k) => typeof k === 'string')) return;
      this.fail(`BUILD on a dict with state ${describe(state)}`);
    }
    if (typeof target === 'object' && target !== null && 'pyType' in target && typeof target.setState === 'function') {
      target.setState(state);
      return;
    }
    this.fail(`BUILD on ${describe(target)}, which has no state to set`);
  }

  appendTo(list: PyValue, items: PyValue[], opcode: OpName): void {
    if (!Array.isArray(list)) this.fail(`${opcode} to ${describe(list)}, which is not a list`);
    for (const item of items) (list as PyValue[]).push(item);
  }

  setItems(target: PyValue, items: PyValue[], opcode: OpName): void {
    if (!(target instanceof Map)) this.fail(`${opcode} on ${describe(target)}, which is not a dict`);
    if (items.length % 2 !== 0) this.fail(`${opcode} with an odd number of items`);
    const dict = target as PyDict;
    for (let i = 0; i < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
  }

  persistent(pid: PyValue): PyValue {
    if (this.policy.persistentLoad === undefined) return this.fail('persistent ids are not allowed here');
    return this.policy.persistentLoad(pid, this.fail);
  }
}

type Handler = (u: Unpickler) => void;

/** Framing and the stack itself. */
const STACK_OPS: Partial<Record<OpName, Handler>> = {
  PROTO: (u) => {
    const version = u.in.u8();
    if (version > 5) u.fail(`unsupported pickle protocol ${version}`);
  },
  FRAME: (u) => void u.in.u64Length(), // only a read-ahead hint; the length must still fit
  MARK: (u) => u.pushMark(),
  POP: (u) => {
    if (u.stack.length === 0) u.popMark('POP');
    else u.stack.pop();
  },
  POP_MARK: (u) => void u.popMark('POP_MARK'),
  DUP: (u) => u.push(u.top('DUP')),
};

/** None, booleans, integers and floats. */
const SCALAR_OPS: Partial<Record<OpName, Handler>> = {
  NONE: (u) => u.push(null),
  NEWTRUE: (u) => u.push(true),
  NEWFALSE: (u) => u.push(false),
  BININT: (u) => u.push(u.in.i32()),
  BININT1: (u) => u.push(u.in.u8()),
  BININT2: (u) => u.push(u.in.u16()),
  INT: (u) => u.push(u.in.textInt(true)),
  LONG: (u) => u.push(u.in.textInt()),
  LONG1: (u) => u.push(u.in.signedLittleEndian(u.in.bytes(u.in.u8(), 'a LONG1 integer'))),
  LONG4: (u) => {
    const n = u.in.i32();
    if (n < 0) u.fail('LONG4 with a negative length');
    u.push(u.in.signedLittleEndian(u.in.bytes(n, 'a LONG4 integer')));
  },
  FLOAT: (u) => u.push(u.in.textFloat()),
  BINFLOAT: (u) => u.push(u.in.f64BigEndian()),
};

/** str, Python 2 str (read as latin-1, as torch's loader does), bytes and in-band bytearrays (copied). */
const STRING_OPS: Partial<Record<OpName, Handler>> = {
  BINUNICODE: (u) => u.push(u.in.utf8(u.in.u32())),
  SHORT_BINUNICODE: (u) => u.push(u.in.utf8(u.in.u8())),
  BINUNICODE8: (u) => u.push(u.in.utf8(u.in.u64Length())),
  BINSTRING: (u) => {
    const n = u.in.i32();
    if (n < 0) u.fail('BINSTRING with a negative length');
    u.push(u.in.latin1(n));
  },
  SHORT_BINSTRING: (u) => u.push(u.in.latin1(u.in.u8())),
  BINBYTES: (u) => u.push(u.in.bytes(u.in.u32(), 'BINBYTES').slice()),
  SHORT_BINBYTES: (u) => u.push(u.in.bytes(u.in.u8(), 'SHORT_BINBYTES').slice()),
  BINBYTES8: (u) => u.push(u.in.bytes(u.in.u64Length(), 'BINBYTES8').slice()),
  // Protocol 5 writes a numpy array's in-band buffer this way; to a reader it is bytes.
  BYTEARRAY8: (u) => u.push(u.in.bytes(u.in.u64Length(), 'BYTEARRAY8').slice()),
};

/** Lists, tuples and dicts. */
const CONTAINER_OPS: Partial<Record<OpName, Handler>> = {
  EMPTY_LIST: (u) => u.push([]),
  LIST: (u) => u.push(u.popMark('LIST')),
  APPEND: (u) => {
    const item = u.pop('APPEND');
    u.appendTo(u.top('APPEND'), [item], 'APPEND');
  },
  APPENDS: (u) => {
    const items = u.popMark('APPENDS');
    u.appendTo(u.top('APPENDS'), items, 'APPENDS');
  },
  EMPTY_TUPLE: (u) => u.push(new PyTuple([])),
  TUPLE: (u) => u.push(new PyTuple(u.popMark('TUPLE'))),
  TUPLE1: (u) => u.push(new PyTuple([u.pop('TUPLE1')])),
  TUPLE2: (u) => {
    const b = u.pop('TUPLE2');
    u.push(new PyTuple([u.pop('TUPLE2'), b]));
  },
  TUPLE3: (u) => {
    const c = u.pop('TUPLE3');
    const b = u.pop('TUPLE3');
    u.push(new PyTuple([u.pop('TUPLE3'), b, c]));
  },
  EMPTY_DICT: (u) => u.push(new Map()),
  DICT: (u) => {
    const items = u.popMark('DICT');
    const dict: PyDict = new Map();
    u.setItems(dict, items, 'DICT');
    u.push(dict);
  },
  SETITEM: (u) => {
    const value = u.pop('SETITEM');
    const key = u.pop('SETITEM');
    u.setItems(u.top('SETITEM'), [key, value], 'SETITEM');
  },
  SETITEMS: (u) => {
    const items = u.popMark('SETITEMS');
    u.setItems(u.top('SETITEMS'), items, 'SETITEMS');
  },
};

/** The memo (values a pickle refers back to). */
const MEMO_OPS: Partial<Record<OpName, Handler>> = {
  GET: (u) => u.push(u.memoGet(Number(u.in.textInt()))),
  BINGET: (u) => u.push(u.memoGet(u.in.u8())),
  LONG_BINGET: (u) => u.push(u.memoGet(u.in.u32())),
  PUT: (u) => u.memoPut(Number(u.in.textInt())),
  BINPUT: (u) => u.memoPut(u.in.u8()),
  LONG_BINPUT: (u) => u.memoPut(u.in.u32()),
  MEMOIZE: (u) => u.memoPut(u.memo.size),
};

/** Globals, calls and persistent ids: each goes through the caller's policy. */
const OBJECT_OPS: Partial<Record<OpName, Handler>> = {
  GLOBAL: (u) => {
    const module = u.in.line();
    const name = u.in.line();
    u.push(u.global(module, name));
  },
  STACK_GLOBAL: (u) => {
    const name = u.pop('STACK_GLOBAL');
    const module = u.pop('STACK_GLOBAL');
    if (typeof module !== 'string' || typeof name !== 'string') u.fail('STACK_GLOBAL needs two strings');
    u.push(u.global(module as string, name as string));
  },
  REDUCE: (u) => {
    const args = u.pop('REDUCE');
    u.push(u.call(u.pop('REDUCE'), args, 'REDUCE'));
  },
  // cls.__new__(cls, *args): allowed only where the handler permits a call.
  NEWOBJ: (u) => {
    const args = u.pop('NEWOBJ');
    u.push(u.call(u.pop('NEWOBJ'), args, 'NEWOBJ'));
  },
  BUILD: (u) => {
    const state = u.pop('BUILD');
    u.build(u.top('BUILD'), state);
  },
  PERSID: (u) => u.push(u.persistent(u.in.line())),
  BINPERSID: (u) => u.push(u.persistent(u.pop('BINPERSID'))),
};

const INSTANTIATE_BY_NAME: OpName[] = ['INST', 'OBJ', 'EXT1', 'EXT2', 'EXT4', 'NEWOBJ_EX'];
const UNSUPPORTED: OpName[] = ['STRING', 'UNICODE', 'EMPTY_SET', 'ADDITEMS', 'FROZENSET', 'NEXT_BUFFER', 'READONLY_BUFFER'];

function refuse(why: (fileKind: string) => string): Handler {
  return (u) => {
    const op = u.in.data[u.opStart]!;
    u.fail(`opcode ${opcodeName(op)} (0x${op.toString(16)}) ${why(u.policy.fileKind ?? 'a checkpoint')}`);
  };
}

/** Opcode byte → handler; a byte with no entry is not an opcode. */
const DISPATCH: Array<Handler | undefined> = (() => {
  const table = new Array<Handler | undefined>(256);
  const byName: Partial<Record<OpName, Handler>> = {
    ...STACK_OPS,
    ...SCALAR_OPS,
    ...STRING_OPS,
    ...CONTAINER_OPS,
    ...MEMO_OPS,
    ...OBJECT_OPS,
  };
  for (const name of INSTANTIATE_BY_NAME) byName[name] = refuse((kind) => `instantiates objects by name and is not allowed in ${kind}`);
  for (const name of UNSUPPORTED) byName[name] = refuse(() => 'is not used by torch.save or numpy and is not supported');
  for (const [name, handler] of Object.entries(byName)) table[OP[name as OpName]] = handler;
  return table;
})();
