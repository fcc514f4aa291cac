/**
 * A restricted unpickler: it reads the data opcodes of Python's pickle protocols 0–5 and nothing
 * that could run code. A pickle is untrusted input, so:
 * - every global must be on the caller's allow-list (`UnpicklePolicy.globals`); any other
 *   `GLOBAL`/`STACK_GLOBAL` is a WeightLoadError naming it, before anything is called;
 * - "calling" an allowed global runs the caller's TypeScript handler, never Python semantics;
 * - opcodes that import or instantiate by name without the allow-list (INST, OBJ, EXT*, NEWOBJ_EX,
 *   out-of-band buffers) and the text string opcodes (which need Python's escape decoder) are refused;
 * - every length is checked against the bytes that remain before anything is allocated, integers
 *   are limited to 64 bytes, and each opcode consumes at least one byte and pushes at most one
 *   value, so time and memory stay linear in the input size.
 * Mirrors the data model of CPython's `Lib/pickle.py` `_Unpickler`; values map to JavaScript as
 * None → null, bool → boolean, int → number (bigint when not a safe integer), float → number,
 * str → string, bytes → Uint8Array, list → array, tuple → PyTuple, dict → PyDict (a Map).
 */
import { basename } from 'node:path';
import { WeightLoadError } from '../errors.js';

/** A Python tuple (kept apart from lists so callers can check what torch wrote). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
  get length(): number {
    return this.items.length;
  }
}

/** A Python dict or OrderedDict, in insertion order. */
export type PyDict = Map<PyValue, PyValue>;

/** An object a global's handler produced (a tensor description, a storage type…). */
export interface PyObject {
  readonly pyType: string;
  /** Called by BUILD (`obj.__setstate__(state)`); objects without it refuse BUILD. */
  setState?(state: PyValue): void;
}

/** An allowed global, as pushed by GLOBAL / STACK_GLOBAL. */
export class PyGlobal {
  constructor(
    readonly qualname: string,
    readonly handler: GlobalHandler,
  ) {}
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyObject;

export interface GlobalHandler {
  /** REDUCE / NEWOBJ with this global as the callable; absent means the global cannot be called. */
  call?(args: PyValue[], fail: (problem: string) => never): PyValue;
}

export interface UnpicklePolicy {
  /** Allowed globals by "module.name" (e.g. "collections.OrderedDict"). */
  globals: ReadonlyMap<string, GlobalHandler>;
  /** Resolves a persistent id (PERSID / BINPERSID); absent means persistent ids are refused. */
  persistentLoad?(pid: PyValue, fail: (problem: string) => never): PyValue;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode (several pickles may follow each other in one buffer). */
  end: number;
}

/** The pickle ended before its STOP opcode; a caller holding only a prefix may retry with more. */
export class PickleTruncatedError extends WeightLoadError {}

/** Integers longer than this (in bytes) are refused: a state dict never needs them. */
export const MAX_INT_BYTES = 64;

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK;

/** A short description of a value for error messages (bounded: never walks a whole structure). */
export function describe(value: PyValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return `bytes[${value.length}]`;
  if (Array.isArray(value)) return `list[${value.length}]`;
  if (value instanceof PyTuple) return `tuple[${value.length}]`;
  if (value instanceof Map) return `dict[${value.size}]`;
  if (value instanceof PyGlobal) return value.qualname;
  return value.pyType;
}

/**
 * Reads one pickle from `data` starting at `start`. `file` names the source in error messages.
 * Throws WeightLoadError (PickleTruncatedError when the bytes end before STOP).
 */
export function unpickle(data: Uint8Array, policy: UnpicklePolicy, file: string, start = 0): UnpickleResult {
  return new Unpickler(data, policy, file, start).load();
}

class Unpickler {
  private pos: number;
  private opStart = 0;
  private stack: StackItem[] = [];
  private readonly metastack: StackItem[][] = [];
  private readonly memo = new Map<number, PyValue>();
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    private readonly policy: UnpicklePolicy,
    private readonly file: string,
    start: number,
  ) {
    this.pos = start;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private readonly fail = (problem: string): never => {
    throw new WeightLoadError(`${basename(this.file)}: pickle opcode at byte ${this.opStart}: ${problem} (file ${this.file}).`);
  };

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.data.length) {
      throw new PickleTruncatedError(
        `${basename(this.file)}: pickle truncated at byte ${this.pos}: ${what} needs ${n} bytes but ${this.data.length - this.pos} remain ` +
          `(file ${this.file}; the file is cut short or corrupt).`,
      );
    }
  }

  private u8(): number {
    this.need(1, 'an opcode argument');
    return this.data[this.pos++]!;
  }

  private u16(): number {
    this.need(2, 'a 2-byte argument');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  private u32(): number {
    this.need(4, 'a 4-byte argument');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  private i32(): number {
    this.need(4, 'a 4-byte argument');
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An 8-byte length, refused unless it fits in what remains of the input. */
  private u64Length(): number {
    this.need(8, 'an 8-byte length');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(this.data.length - this.pos)) {
      throw new PickleTruncatedError(
        `${basename(this.file)}: pickle truncated at byte ${this.pos}: a length of ${v} bytes runs past the end of the input (file ${this.file}).`,
      );
    }
    return Number(v);
  }

  private bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private utf8(n: number): string {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.bytes(n, 'a string'));
    } catch (e) {
      if (e instanceof WeightLoadError) throw e;
      return this.fail('a string is not valid UTF-8');
    }
  }

  private latin1(n: number): string {
    const b = this.bytes(n, 'a string');
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }

  /** A newline-terminated ASCII argument of the text opcodes (protocol 0). */
  private line(): string {
    const limit = Math.min(this.data.length, this.pos + 4096);
    for (let i = this.pos; i < limit; i++) {
      if (this.data[i] === 0x0a) {
        const s = this.latin1(i - this.pos);
        this.pos += 1;
        return s;
      }
    }
    if (limit === this.data.length) this.need(limit - this.pos + 1, 'a newline-terminated argument');
    return this.fail('a text argument is longer than 4096 bytes');
  }

  private push(v: StackItem): void {
    this.stack.push(v);
  }

  private pop(what: string): PyValue {
    if (this.stack.length === 0) this.fail(`${what}: the stack is empty`);
    const v = this.stack.pop()!;
    if (v === MARK) this.fail(`${what}: found a MARK where a value was expected`);
    return v as PyValue;
  }

  private top(what: string): PyValue {
    const v = this.stack[this.stack.length - 1];
    if (v === undefined) this.fail(`${what}: the stack is empty`);
    if (v === MARK) this.fail(`${what}: found a MARK where a value was expected`);
    return v as PyValue;
  }

  private popMark(what: string): PyValue[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (previous === undefined) this.fail(`${what} without a preceding MARK`);
    this.stack = previous!;
    return items as PyValue[];
  }

  private signedLittleEndian(bytes: Uint8Array): number | bigint {
    if (bytes.length === 0) return 0;
    if (bytes.length > MAX_INT_BYTES) this.fail(`an integer of ${bytes.length} bytes exceeds the ${MAX_INT_BYTES}-byte limit`);
    let hex = '';
    for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
    let v = BigInt(`0x${hex}`);
    if ((bytes[bytes.length - 1]! & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
    return narrow(v);
  }

  /** The argument of the text opcodes INT / LONG / GET / PUT; INT spells True and False "01" / "00". */
  private parseTextInt(text: string, allowBool = false): number | bigint | boolean {
    if (allowBool && text === '01') return true;
    if (allowBool && text === '00') return false;
    const body = text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[+-]?\d{1,200}$/.test(body)) this.fail(`invalid integer literal ${JSON.stringify(text.slice(0, 40))}`);
    return narrow(BigInt(body));
  }

  private memoGet(index: number): PyValue {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`memo entry ${index} was never stored`);
    return v!;
  }

  private memoPut(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0) this.fail(`invalid memo index ${index}`);
    this.memo.set(index, this.top('PUT'));
  }

  private global(module: string, name: string): PyGlobal {
    const qualname = `${module}.${name}`;
    const handler = this.policy.globals.get(qualname);
    if (handler === undefined) {
      this.fail(
        `refusing global ${JSON.stringify(qualname)}: only ${[...this.policy.globals.keys()].join(', ')} may appear in a checkpoint ` +
          '(a pickle that names any other global could run code when loaded by Python; this file is not a plain state dict)',
      );
    }
    return new PyGlobal(qualname, handler!);
  }

  private call(callable: PyValue, args: PyValue, opcode: string): PyValue {
    if (!(callable instanceof PyGlobal)) return this.fail(`${opcode} on ${describe(callable)}, which is not a callable global`);
    if (!(args instanceof PyTuple)) return this.fail(`${opcode} arguments for ${callable.qualname} are ${describe(args)}, not a tuple`);
    if (callable.handler.call === undefined) return this.fail(`${opcode}: ${callable.qualname} cannot be called here`);
    return callable.handler.call(args.items, (problem) => this.fail(`${callable.qualname}: ${problem}`));
  }

  private build(target: PyValue, state: PyValue): void {
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

  private setItems(target: PyValue, items: PyValue[], opcode: string): void {
    if (!(target instanceof Map)) this.fail(`${opcode} on ${describe(target)}, which is not a dict`);
    if (items.length % 2 !== 0) this.fail(`${opcode} with an odd number of items`);
    const dict = target as PyDict;
    for (let i = 0; i < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
  }

  load(): UnpickleResult {
    for (;;) {
      this.opStart = this.pos;
      if (this.pos >= this.data.length) this.need(1, 'the next opcode (no STOP yet)');
      const op = this.data[this.pos++]!;
      switch (op) {
        case 0x80: { // PROTO
          const version = this.u8();
          if (version > 5) this.fail(`unsupported pickle protocol ${version}`);
          break;
        }
        case 0x95: // FRAME: only a read-ahead hint; the length must still fit.
          this.u64Length();
          break;
        case 0x2e: { // STOP
          const value = this.pop('STOP');
          return { value, end: this.pos };
        }
        case 0x28: // MARK
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          if (this.stack.length === 0) this.popMark('POP');
          else this.stack.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark('POP_MARK');
          break;
        case 0x32: // DUP
          this.push(this.top('DUP'));
          break;
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x49: // INT (text)
          this.push(this.parseTextInt(this.line(), true));
          break;
        case 0x4c: // LONG (text)
          this.push(this.parseTextInt(this.line()));
          break;
        case 0x8a: // LONG1
          this.push(this.signedLittleEndian(this.bytes(this.u8(), 'a LONG1 integer')));
          break;
        case 0x8b: { // LONG4
          const n = this.i32();
          if (n < 0) this.fail('LONG4 with a negative length');
          this.push(this.signedLittleEndian(this.bytes(n, 'a LONG4 integer')));
          break;
        }
        case 0x46: { // FLOAT (text)
          const text = this.line();
          if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|inf|nan)$/i.test(text)) this.fail(`invalid float literal ${JSON.stringify(text.slice(0, 40))}`);
          this.push(Number(text.replace(/^([+-]?)inf$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN')));
          break;
        }
        case 0x47: // BINFLOAT (big-endian)
          this.need(8, 'a BINFLOAT');
          this.push(this.view.getFloat64(this.pos, false));
          this.pos += 8;
          break;
        case 0x58: // BINUNICODE
          this.push(this.utf8(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.utf8(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.utf8(this.u64Length()));
          break;
        case 0x54: { // BINSTRING (Python 2 str, read as latin-1 as torch's loader does)
          const n = this.i32();
          if (n < 0) this.fail('BINSTRING with a negative length');
          this.push(this.latin1(n));
          break;
        }
        case 0x55: // SHORT_BINSTRING
          this.push(this.latin1(this.u8()));
          break;
        case 0x42: // BINBYTES
          this.push(this.bytes(this.u32(), 'BINBYTES').slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.bytes(this.u8(), 'SHORT_BINBYTES').slice());
          break;
        case 0x8e: // BINBYTES8
          this.push(this.bytes(this.u64Length(), 'BINBYTES8').slice());
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x6c: // LIST
          this.push(this.popMark('LIST'));
          break;
        case 0x61: { // APPEND
          const item = this.pop('APPEND');
          const list = this.top('APPEND');
          if (!Array.isArray(list)) this.fail(`APPEND to ${describe(list)}, which is not a list`);
          (list as PyValue[]).push(item);
          break;
        }
        case 0x65: { // APPENDS
          const items = this.popMark('APPENDS');
          const list = this.top('APPENDS');
          if (!Array.isArray(list)) this.fail(`APPENDS to ${describe(list)}, which is not a list`);
          for (const item of items) (list as PyValue[]).push(item);
          break;
        }
        case 0x29: // EMPTY_TUPLE
          this.push(new PyTuple([]));
          break;
        case 0x74: // TUPLE
          this.push(new PyTuple(this.popMark('TUPLE')));
          break;
        case 0x85: // TUPLE1
          this.push(new PyTuple([this.pop('TUPLE1')]));
          break;
        case 0x86: { // TUPLE2
          const b = this.pop('TUPLE2');
          const a = this.pop('TUPLE2');
          this.push(new PyTuple([a, b]));
          break;
        }
        case 0x87: { // TUPLE3
          const c = this.pop('TUPLE3');
          const b = this.pop('TUPLE3');
          const a = this.pop('TUPLE3');
          this.push(new PyTuple([a, b, c]));
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.push(new Map());
          break;
        case 0x64: { // DICT
          const items = this.popMark('DICT');
          const dict: PyDict = new Map();
          this.setItems(dict, items, 'DICT');
          this.push(dict);
          break;
        }
        case 0x73: { // SETITEM
          const value = this.pop('SETITEM');
          const key = this.pop('SETITEM');
          this.setItems(this.top('SETITEM'), [key, value], 'SETITEM');
          break;
        }
        case 0x75: { // SETITEMS
          const items = this.popMark('SETITEMS');
          this.setItems(this.top('SETITEMS'), items, 'SETITEMS');
          break;
        }
        case 0x67: // GET (text)
          this.push(this.memoGet(Number(this.parseTextInt(this.line()))));
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x70: // PUT (text)
          this.memoPut(Number(this.parseTextInt(this.line())));
          break;
        case 0x71: // BINPUT
          this.memoPut(this.u8());
          break;
        case 0x72: // LONG_BINPUT
          this.memoPut(this.u32());
          break;
        case 0x94: // MEMOIZE
          this.memoPut(this.memo.size);
          break;
        case 0x63: { // GLOBAL "module\nname\n"
          const module = this.line();
          const name = this.line();
          this.push(this.global(module, name));
          break;
        }
        case 0x93: { // STACK_GLOBAL
          const name = this.pop('STACK_GLOBAL');
          const module = this.pop('STACK_GLOBAL');
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.push(this.global(module as string, name as string));
          break;
        }
        case 0x52: { // REDUCE
          const args = this.pop('REDUCE');
          const callable = this.pop('REDUCE');
          this.push(this.call(callable, args, 'REDUCE'));
          break;
        }
        case 0x81: { // NEWOBJ: cls.__new__(cls, *args); allowed only where the handler permits a call
          const args = this.pop('NEWOBJ');
          const cls = this.pop('NEWOBJ');
          this.push(this.call(cls, args, 'NEWOBJ'));
          break;
        }
        case 0x62: { // BUILD
          const state = this.pop('BUILD');
          this.build(this.top('BUILD'), state);
          break;
        }
        case 0x50: { // PERSID (text)
          const pid = this.line();
          this.push(this.persistent(pid));
          break;
        }
        case 0x51: // BINPERSID
          this.push(this.persistent(this.pop('BINPERSID')));
          break;
        case 0x69: // INST
        case 0x6f: // OBJ
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
        case 0x92: // NEWOBJ_EX
          this.fail(`opcode ${opcodeName(op)} (0x${op.toString(16)}) instantiates objects by name and is not allowed in a checkpoint`);
          break;
        case 0x53: // STRING (text, Python-escaped)
        case 0x56: // UNICODE (text, raw-unicode-escape)
        case 0x8f: // EMPTY_SET
        case 0x90: // ADDITEMS
        case 0x91: // FROZENSET
        case 0x96: // BYTEARRAY8
        case 0x97: // NEXT_BUFFER
        case 0x98: // READONLY_BUFFER
          this.fail(`opcode ${opcodeName(op)} (0x${op.toString(16)}) is not used by torch.save and is not supported`);
          break;
        default:
          this.fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')} (not a pickle, or a corrupt one)`);
      }
    }
  }

  private persistent(pid: PyValue): PyValue {
    if (this.policy.persistentLoad === undefined) return this.fail('persistent ids are not allowed here');
    return this.policy.persistentLoad(pid, this.fail);
  }
}

function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

function opcodeName(op: number): string {
  const names: Record<number, string> = {
    0x69: 'INST', 0x6f: 'OBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x92: 'NEWOBJ_EX', 0x53: 'STRING',
    0x56: 'UNICODE', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x96: 'BYTEARRAY8',
    0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
  };
  return names[op] ?? 'unknown';
}
