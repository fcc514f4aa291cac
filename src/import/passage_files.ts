/**
 * Streams passages from the two layouts users hold:
 * - DPR's `psgs_w100.tsv`: a header naming the columns `id`, `text`, `title` (in any order),
 *   tab-separated, fields optionally csv-quoted with `"` (a `"` inside a quoted field doubled, as
 *   Python's csv module writes), CRLF or LF line ends;
 * - our JSONL: one `{"id", "title"?, "text"}` object per line.
 * Each passage comes with the byte range of its record, so an importer can read it again by
 * offset without holding the corpus in memory. A malformed record is an InputError naming
 * file:line and what is wrong.
 */
import { InputError } from '../errors.js';
import { readLines, type Line } from './lines.js';

export interface SourcePassage {
  id: string;
  title: string;
  text: string;
  /** "file:line" of the record, for messages. */
  where: string;
  /** Byte range of the record in its file. */
  start: number;
  end: number;
}

export type PassageFormat = 'tsv' | 'jsonl';

export function passageFormat(path: string): PassageFormat {
  if (/\.(tsv|csv)$/i.test(path)) return 'tsv';
  if (/\.jsonl?$/i.test(path)) return 'jsonl';
  throw new InputError(
    `passages file ${path}: cannot tell its layout from the name; expected DPR's .tsv (id, text, title) or a .jsonl of {"id", "title", "text"}.`,
  );
}

export function readPassages(path: string): AsyncGenerator<SourcePassage> {
  return passageFormat(path) === 'tsv' ? readTsvPassages(path) : readJsonlPassages(path);
}

/** Marks a record whose quoted field runs on to the next line. */
export const OPEN_QUOTE = Symbol('open quote');

/**
 * Splits one tab-separated csv record into fields, or returns OPEN_QUOTE when a quoted field is
 * still open at the end of `text` (the caller then appends "\n" and the next line, as a quoted
 * newline belongs to the field in Python's csv).
 */
export function splitTsvRecord(text: string, fail: (problem: string) => never): string[] | typeof OPEN_QUOTE {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return OPEN_QUOTE;
        field += text.slice(i, quote);
        if (text[quote + 1] !== '"') {
          i = quote + 1;
          break;
        }
        field += '"';
        i = quote + 2;
      }
      if (i < text.length && text[i] !== '\t')
        fail(`unexpected ${JSON.stringify(text[i])} after the closing quote of field ${fields.length + 1}`);
    } else {
      const tab = text.indexOf('\t', i);
      const stop = tab < 0 ? text.length : tab;
      field = text.slice(i, stop);
      if (field.includes('"'))
        fail(`field ${fields.length + 1} holds a quote but does not start with one (quote the whole field and double the inner quote)`);
      i = stop;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the tab
  }
}

/** Where the columns are, from a TSV header line. */
export interface TsvLayout {
  columns: number;
  idAt: number;
  textAt: number;
  titleAt: number;
}

export function tsvLayout(headerLine: string, path: string): TsvLayout {
  const names = headerLine.split('\t');
  const column = (name: string): number => {
    const at = names.indexOf(name);
    if (at < 0)
      throw new InputError(
        `${path}:1: the header ${JSON.stringify(headerLine.slice(0, 80))} has no "${name}" column; expected DPR's "id<TAB>text<TAB>title".`,
      );
    return at;
  };
  return { columns: names.length, idAt: column('id'), textAt: column('text'), titleAt: column('title') };
}

function tsvPassage(fields: string[], layout: TsvLayout, fail: (problem: string) => never): { id: string; title: string; text: string } {
  if (fields.length !== layout.columns) fail(`${fields.length} fields, but the header names ${layout.columns}`);
  const id = fields[layout.idAt]!;
  if (id === '') fail('the id is empty');
  return { id, text: fields[layout.textAt]!, title: fields[layout.titleAt]! };
}

function rowError(where: string): (problem: string) => never {
  return (problem) => {
    throw new InputError(`${where}: malformed row: ${problem}.`);
  };
}

async function* readTsvPassages(path: string): AsyncGenerator<SourcePassage> {
  const lines = readLines(path)[Symbol.asyncIterator]();
  const pull = async (): Promise<Line | undefined> => (await lines.next()).value as Line | undefined;
  const header = await pull();
  if (header === undefined) throw new InputError(`${path} is empty; expected DPR's header line "id<TAB>text<TAB>title".`);
  const layout = tsvLayout(header.text, path);
  for (let first = await pull(); first !== undefined; first = await pull()) {
    if (first.text === '') continue;
    const where = `${path}:${first.line}`;
    const fail = rowError(where);
    let text = first.text;
    let end = first.end;
    let fields = splitTsvRecord(text, fail);
    while (fields === OPEN_QUOTE) {
      const more = await pull();
      if (more === undefined) return fail('a quoted field is not closed before the end of the file');
      text += `\n${more.text}`;
      end = more.end;
      fields = splitTsvRecord(text, fail);
    }
    yield { ...tsvPassage(fields, layout, fail), where, start: first.start, end };
  }
}

/** Reads the TSV header line of a passages file (for readPassageAt). */
export async function readTsvLayout(path: string): Promise<TsvLayout> {
  for await (const line of readLines(path)) return tsvLayout(line.text, path);
  throw new InputError(`${path} is empty; expected DPR's header line "id<TAB>text<TAB>title".`);
}

/** Parses again a record whose byte range a reader reported (`layout` for TSV files, from readTsvLayout). */
export function parsePassageRecord(
  bytes: Uint8Array,
  layout: TsvLayout | undefined,
  where: string,
): { id: string; title: string; text: string } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (layout === undefined) {
    const r = JSON.parse(text) as { id: string | number; title?: string; text: string };
    return { id: String(r.id), title: r.title ?? '', text: r.text };
  }
  const fail = rowError(where);
  const fields = splitTsvRecord(text.replace(/\r\n/g, '\n'), fail);
  if (fields === OPEN_QUOTE) return fail('a quoted field is not closed');
  return tsvPassage(fields, layout, fail);
}

async function* readJsonlPassages(path: string): AsyncGenerator<SourcePassage> {
  for await (const line of readLines(path)) {
    if (line.text.trim() === '') continue;
    const where = `${path}:${line.line}`;
    let record: unknown;
    try {
      record = JSON.parse(line.text);
    } catch (e) {
      throw new InputError(`${where}: not valid JSON (${(e as Error).message}); expected one {"id", "title", "text"} object per line.`);
    }
    const r = record as { id?: unknown; title?: unknown; text?: unknown };
    if (
      typeof record !== 'object' ||
      record === null ||
      (typeof r.id !== 'string' && typeof r.id !== 'number') ||
      typeof r.text !== 'string' ||
      (r.title !== undefined && typeof r.title !== 'string')
    ) {
      throw new InputError(`${where}: expected {"id": string or number, "title"?: string, "text": string}.`);
    }
    yield { id: String(r.id), title: (r.title as string | undefined) ?? '', text: r.text, where, start: line.start, end: line.end };
  }
}
