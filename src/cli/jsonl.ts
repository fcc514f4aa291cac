/**
 * Streaming JSONL: one JSON object per line, read through node:readline so a corpus of any size
 * is never held whole in memory. Errors name the file and the 1-based line number.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

export interface JsonlRecord {
  /** 1-based line number in the file. */
  line: number;
  /** The line as read (without its newline). */
  raw: string;
  value: Record<string, unknown>;
}

/** How a path is named in messages: stdin for "-". */
export function displayName(path: string): string {
  return path === '-' ? '<stdin>' : path;
}

async function openInput(path: string): Promise<Readable> {
  if (path === '-') return process.stdin;
  try {
    const handle = await open(path, 'r');
    return handle.createReadStream();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path} does not exist; check the path of the JSONL file.`);
    if (code === 'EISDIR') throw new InputError(`${path} is a directory; expected a JSONL file (one JSON object per line).`);
    throw new InputError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * The lines of a byte stream, each decoded as strict UTF-8: invalid bytes are an InputError
 * naming FILE:LINE (a lenient decoder would silently turn them into U+FFFD and encode garbage).
 * A line may end in \n or \r\n.
 */
export async function* utf8Lines(input: AsyncIterable<Buffer | string>, name: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Buffer[] = [];
  let line = 0;
  const decode = (bytes: Buffer): string => {
    line++;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    try {
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new InputError(`${name}:${line}: not valid UTF-8; save the file as UTF-8 (e.g. \`iconv -f LATIN1 -t UTF-8\`).`);
    }
  };
  for await (const chunk of input) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a)) {
      pending.push(bytes.subarray(0, newline));
      yield decode(Buffer.concat(pending));
      pending = [];
      bytes = bytes.subarray(newline + 1);
    }
    if (bytes.length > 0) pending.push(bytes);
  }
  if (pending.length > 0) yield decode(Buffer.concat(pending));
}

/**
 * Yields every non-blank line of a JSONL file (or stdin for "-") parsed as a JSON object.
 * Throws InputError `FILE:LINE: …` on a line that is not UTF-8 or not a JSON object.
 */
export async function* readJsonl(path: string): AsyncGenerator<JsonlRecord> {
  const input = await openInput(path);
  let line = 0;
  try {
    for await (let raw of utf8Lines(input, displayName(path))) {
      line++;
      if (line === 1 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
      if (raw.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (e) {
        throw new InputError(`${displayName(path)}:${line}: not valid JSON (${(e as Error).message}); each line must be one JSON object.`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new InputError(
          `${displayName(path)}:${line}: expected a JSON object like {"id": …, "text": …}, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}.`,
        );
      }
      yield { line, raw, value: value as Record<string, unknown> };
    }
  } finally {
    if (path !== '-') input.destroy();
  }
}

/** A passage or question as the commands read it. */
export interface TextRecord {
  id: string | number;
  text: string;
  title?: string;
}

/**
 * Checks one record's fields: `id` (string or number), `text` (string), and when `allowTitle`
 * an optional string `title`. Other fields are ignored.
 */
export function toTextRecord(record: JsonlRecord, path: string, allowTitle: boolean): TextRecord {
  const where = `${displayName(path)}:${record.line}`;
  const { id, text, title } = record.value;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
    throw new InputError(`${where}: "id" must be a string or a number, got ${id === undefined ? 'nothing' : JSON.stringify(id)}.`);
  }
  if (typeof text !== 'string') {
    throw new InputError(`${where}: "text" must be a string, got ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
  }
  const out: TextRecord = { id, text };
  if (allowTitle && title !== undefined && title !== null) {
    if (typeof title !== 'string') throw new InputError(`${where}: "title" must be a string when given, got ${JSON.stringify(title)}.`);
    out.title = title;
  }
  return out;
}

/** Reads a JSONL file of text records; convenience for small inputs (questions, reader passages). */
export async function readTextRecords(path: string, allowTitle: boolean): Promise<TextRecord[]> {
  const out: TextRecord[] = [];
  for await (const record of readJsonl(path)) out.push(toTextRecord(record, path, allowTitle));
  if (out.length === 0) throw new InputError(`${displayName(path)} holds no records; expected one JSON object per line.`);
  return out;
}
