/**
 * The byte reader under the unpickler: little-endian integers, lengths and strings, each checked
 * against the bytes that remain before anything is allocated. Running out of bytes is a
 * PickleTruncatedError (a caller holding only a prefix may retry with more).
 */
import { basename } from 'node:path';
import { WeightLoadError } from '../errors.js';

/** The pickle ended before its STOP opcode; a caller holding only a prefix may retry with more. */
export class PickleTruncatedError extends WeightLoadError {}

/** Integers longer than this (in bytes) are refused: no file we read needs them. */
export const MAX_INT_BYTES = 64;

/** Text-opcode arguments longer than this are refused (they are names and numbers). */
const MAX_LINE_BYTES = 4096;

export class PickleInput {
  private readonly view: DataView;

  constructor(
    readonly data: Uint8Array,
    readonly file: string,
    public pos: number,
    /** Reports a malformed (not truncated) pickle; never returns. */
    private readonly fail: (problem: string) => never,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get atEnd(): boolean {
    return this.pos >= this.data.length;
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.data.length) {
      throw new PickleTruncatedError(
        `${basename(this.file)}: pickle truncated at byte ${this.pos}: ${what} needs ${n} bytes but ${this.data.length - this.pos} remain ` +
          `(file ${this.file}; the file is cut short or corrupt).`,
      );
    }
  }

  u8(): number {
    this.need(1, 'an opcode argument');
    return this.data[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'a 2-byte argument');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4, 'a 4-byte argument');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4, 'a 4-byte argument');
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** BINFLOAT's argument: a big-endian float64. */
  f64BigEndian(): number {
    this.need(8, 'a BINFLOAT');
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** An 8-byte length, refused unless it fits in what remains of the input. */
  u64Length(): number {
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

  /** A view of the next n bytes (callers copy when they keep it). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  utf8(n: number): string {
    const b = this.bytes(n, 'a string');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return this.fail('a string is not valid UTF-8');
    }
  }

  latin1(n: number): string {
    const b = this.bytes(n, 'a string');
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }

  /** A newline-terminated ASCII argument of the text opcodes (protocol 0). */
  line(): string {
    const limit = Math.min(this.data.length, this.pos + MAX_LINE_BYTES);
    for (let i = this.pos; i < limit; i++) {
      if (this.data[i] === 0x0a) {
        const s = this.latin1(i - this.pos);
        this.pos += 1;
        return s;
      }
    }
    if (limit === this.data.length) this.need(limit - this.pos + 1, 'a newline-terminated argument');
    return this.fail(`a text argument is longer than ${MAX_LINE_BYTES} bytes`);
  }

  /** A two's-complement little-endian integer (LONG1 / LONG4). */
  signedLittleEndian(bytes: Uint8Array): number | bigint {
    if (bytes.length === 0) return 0;
    if (bytes.length > MAX_INT_BYTES) this.fail(`an integer of ${bytes.length} bytes exceeds the ${MAX_INT_BYTES}-byte limit`);
    let hex = '';
    for (let i = bytes.length - 1; i >= 0; i--) hex += bytes[i]!.toString(16).padStart(2, '0');
    let v = BigInt(`0x${hex}`);
    if ((bytes[bytes.length - 1]! & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8);
    return narrow(v);
  }

  /** The argument of the text opcodes INT / LONG / GET / PUT; INT spells True and False "01" / "00". */
  textInt(allowBool = false): number | bigint | boolean {
    const text = this.line();
    if (allowBool && text === '01') return true;
    if (allowBool && text === '00') return false;
    const body = text.endsWith('L') ? text.slice(0, -1) : text;
    if (!/^[+-]?\d{1,200}$/.test(body)) this.fail(`invalid integer literal ${JSON.stringify(text.slice(0, 40))}`);
    return narrow(BigInt(body));
  }

  /** The argument of the text opcode FLOAT (repr of a Python float). */
  textFloat(): number {
    const text = this.line();
    if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|inf|nan)$/i.test(text)) this.fail(`invalid float literal ${JSON.stringify(text.slice(0, 40))}`);
    return Number(text.replace(/^([+-]?)inf$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN'));
  }
}

function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}
