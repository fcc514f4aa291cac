/**
 * An incremental scanner that finds the top-level elements of a JSON array (DPR's training files:
 * `[ {…}, {…}, … ]`, NQ's is ~8 GB) — or of a file of concatenated / newline-separated objects
 * (JSONL) — without holding the file: bytes go in chunk by chunk, each complete element comes out
 * with its byte span. Only the structure is tracked (depth, strings, escapes); each element is
 * parsed by JSON.parse, which also rejects anything malformed inside it. Works on UTF-8 bytes:
 * every structural character is ASCII and never occurs inside a multi-byte sequence.
 */
import { InputError } from '../errors.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const BOM = [0xef, 0xbb, 0xbf];

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

export interface ScannedElement {
  /** Byte offset of the element's first byte ('{') in the stream. */
  start: number;
  /** Byte offset just past its last byte ('}'). */
  end: number;
  /** The element's bytes (may view the pushed chunk: use them before the next push). */
  bytes: Uint8Array;
}

type State = 'start' | 'expectValue' | 'expectValueAfterComma' | 'inValue' | 'afterValue' | 'done';

export class JsonElementScanner {
  private state: State = 'start';
  private mode: 'array' | 'objects' = 'array';
  private offset = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private elementStart = 0;
  private pieces: Uint8Array[] = [];
  /** How many elements have been completed so far. */
  count = 0;

  /** `source` names the stream in error messages. */
  constructor(private readonly source: string) {}

  private fail(at: number, problem: string): never {
    throw new InputError(
      `${this.source}: ${problem} at byte ${at}; expected a JSON list of objects (DPR's training format) or one object per line.`,
    );
  }

  /** Feeds the next chunk; returns the elements completed inside it, in order. */
  push(chunk: Uint8Array): ScannedElement[] {
    const out: ScannedElement[] = [];
    let pieceStart = this.state === 'inValue' ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.state === 'inValue') {
        if (this.inString) {
          i = this.skipStringBytes(chunk, i);
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) this.depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          if (--this.depth === 0) {
            this.pieces.push(chunk.subarray(pieceStart, i + 1));
            out.push(this.finishElement(this.offset + i + 1));
            pieceStart = -1;
            this.state = this.mode === 'array' ? 'afterValue' : 'expectValue';
          }
        }
        continue;
      }
      if (this.offset + i < 3 && b === BOM[this.offset + i]) continue; // a UTF-8 byte order mark
      if (isWhitespace(b)) continue;
      const at = this.offset + i;
      if (this.state === 'start') {
        if (b === OPEN_BRACKET) this.state = 'expectValue';
        else if (b === OPEN_BRACE) {
          this.mode = 'objects';
          this.state = 'expectValue';
          i--; // re-read the brace as the first element
        } else this.fail(at, `unexpected ${JSON.stringify(String.fromCharCode(b))}`);
      } else if (this.state === 'expectValue' || this.state === 'expectValueAfterComma') {
        if (b === OPEN_BRACE) {
          this.state = 'inValue';
          this.depth = 1;
          this.elementStart = at;
          pieceStart = i;
        } else if (b === CLOSE_BRACKET && this.mode === 'array' && this.state === 'expectValue') this.state = 'done';
        else this.fail(at, b === CLOSE_BRACKET ? 'a trailing comma' : `element ${this.count} is not an object`);
      } else if (this.state === 'afterValue') {
        if (b === COMMA) this.state = 'expectValueAfterComma';
        else if (b === CLOSE_BRACKET) this.state = 'done';
        else this.fail(at, `expected "," or "]" after element ${this.count - 1}`);
      } else {
        this.fail(at, 'data after the end of the list');
      }
    }
    if (pieceStart >= 0 && this.state === 'inValue') this.pieces.push(chunk.slice(pieceStart));
    this.offset += chunk.length;
    return out;
  }

  /**
   * Inside a string at chunk[i]: returns the index of the byte that ends it (its closing quote, or
   * the last byte of the chunk), updating the escape state. indexOf runs natively, and string
   * bytes are nearly all of a DPR file.
   */
  private skipStringBytes(chunk: Uint8Array, i: number): number {
    if (this.escaped) {
      this.escaped = false;
      return i;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, i);
      const inside = chunk.subarray(i, quote === -1 ? chunk.length : quote).indexOf(BACKSLASH);
      const backslash = inside === -1 ? -1 : i + inside;
      if (backslash !== -1) {
        if (backslash + 1 >= chunk.length) {
          this.escaped = true;
          return backslash;
        }
        i = backslash + 2; // skip the escaped byte
        if (i >= chunk.length) return chunk.length - 1;
        continue;
      }
      if (quote === -1) return chunk.length - 1;
      this.inString = false;
      return quote;
    }
  }

  private finishElement(end: number): ScannedElement {
    const total = this.pieces.reduce((n, p) => n + p.length, 0);
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : new Uint8Array(total);
    if (this.pieces.length > 1) {
      let at = 0;
      for (const p of this.pieces) {
        bytes.set(p, at);
        at += p.length;
      }
    }
    this.pieces = [];
    this.count++;
    return { start: this.elementStart, end, bytes };
  }

  /** Call at the end of the stream: throws if the list (or an element) is unfinished. */
  finish(): void {
    if (this.state === 'inValue') this.fail(this.offset, `the file ends inside element ${this.count}`);
    if (this.mode === 'array' && this.state !== 'done' && this.state !== 'start')
      this.fail(this.offset, 'the file ends before the closing "]"');
  }
}
