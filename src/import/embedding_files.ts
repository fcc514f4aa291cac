/**
 * Streams (id, vector) records from the embedding files users hold:
 * - DPR's embedding shards (`.pkl`, `.pickle`, or DPR's extension-less `wikipedia_passages_N`):
 *   the pickle of `[(id, float32 numpy vector), …]` that `generate_dense_embeddings.py` writes,
 *   read by the restricted unpickler (numpy_pickle.ts) — never by running the file;
 * - `dpr encode` output (`.jsonl`): one `{"id", "vector"}` per line;
 * - a `.npy` float32 matrix [count, dim] with its ids one per line in a text file beside it
 *   (`NAME.ids.txt` for `NAME.npy`, or given).
 * Records are checked here one by one (a 1-D float32 vector, an id that is a string or integer);
 * checks across records (same dimension, finite values, unique ids) are EmbeddingChecker's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError, WeightLoadError } from '../errors.js';
import { describe, PyTuple, unpickle, type PyValue } from '../io/unpickler.js';
import { readLines } from './lines.js';
import { NUMPY_SHARD_POLICY, NumpyArray } from './numpy_pickle.js';

export interface EmbeddingRecord {
  id: string;
  vector: Float32Array;
  /** "file item N" / "file:line" / "file row N", for messages. */
  where: string;
}

export type EmbeddingFormat = 'dpr-pickle' | 'jsonl' | 'npy';

export function embeddingFormat(path: string): EmbeddingFormat {
  if (/\.jsonl$/i.test(path)) return 'jsonl';
  if (/\.npy$/i.test(path)) return 'npy';
  return 'dpr-pickle';
}

export interface ReadEmbeddingsOptions {
  /** For a .npy file: the ids file (default: NAME.ids.txt beside NAME.npy). */
  idsPath?: string;
}

export function readEmbeddings(path: string, options: ReadEmbeddingsOptions = {}): AsyncGenerator<EmbeddingRecord> {
  const format = embeddingFormat(path);
  if (format === 'jsonl') return readJsonlEmbeddings(path);
  if (format === 'npy') return readNpyEmbeddings(path, options.idsPath ?? path.replace(/\.npy$/i, '.ids.txt'));
  return readDprShard(path);
}

/** A shard's id as DPR writes it: a str (an int, from older scripts, is taken as its decimal text). */
function shardId(value: PyValue | undefined, where: string, fix: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  throw new InputError(`${where}: the passage id is ${describe(value)}, expected a non-empty str; ${fix}`);
}

export async function* readDprShard(path: string): AsyncGenerator<EmbeddingRecord> {
  const fix =
    'a DPR embedding shard is a pickled list of (passage id: str, float32 numpy vector) tuples, as generate_dense_embeddings.py writes.';
  let value: PyValue;
  try {
    value = unpickle(readFileSync(path), NUMPY_SHARD_POLICY, path).value;
  } catch (e) {
    // A pickle that is not a shard is bad input here, not a bad checkpoint.
    if (e instanceof WeightLoadError) throw new InputError(e.message);
    throw e;
  }
  if (!Array.isArray(value)) throw new InputError(`${path}: holds ${describe(value)}, not a list; ${fix}`);
  for (let i = 0; i < value.length; i++) {
    const where = `${path} item ${i}`;
    const item = value[i];
    if (!(item instanceof PyTuple) || item.length !== 2)
      throw new InputError(`${where}: is ${describe(item)}, not an (id, vector) pair; ${fix}`);
    const id = shardId(item.items[0], where, fix);
    const array = item.items[1];
    if (!(array instanceof NumpyArray))
      throw new InputError(`${where}: the vector of ${JSON.stringify(id)} is ${describe(array)}, not a numpy array; ${fix}`);
    if (array.values === undefined)
      throw new InputError(
        `${where}: the vector of ${JSON.stringify(id)} has numpy dtype ${array.dtype?.code ?? '?'}, not float32; ${fix}`,
      );
    if (array.shape.length !== 1)
      throw new InputError(
        `${where}: the vector of ${JSON.stringify(id)} has shape (${array.shape.join(', ')}), not one dimension; ${fix}`,
      );
    yield { id, vector: array.values, where };
    value[i] = null; // let each vector go once it is handed on
  }
}

async function* readJsonlEmbeddings(path: string): AsyncGenerator<EmbeddingRecord> {
  const fix = 'expected one {"id": string, "vector": [numbers]} object per line, as `dpr encode` writes.';
  for await (const line of readLines(path)) {
    if (line.text.trim() === '') continue;
    const where = `${path}:${line.line}`;
    let record: { id?: unknown; vector?: unknown };
    try {
      record = JSON.parse(line.text) as typeof record;
    } catch (e) {
      throw new InputError(`${where}: not valid JSON (${(e as Error).message}); ${fix}`);
    }
    const { id, vector } = record ?? {};
    if ((typeof id !== 'string' || id === '') && !(typeof id === 'number' && Number.isSafeInteger(id)))
      throw new InputError(`${where}: "id" is missing or not a string; ${fix}`);
    if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number')) {
      throw new InputError(`${where}: "vector" is not a non-empty array of numbers (JSON cannot hold NaN or Infinity); ${fix}`);
    }
    yield { id: String(id), vector: Float32Array.from(vector as number[]), where };
  }
}

/** The header of a .npy file (format versions 1–3): dtype, order and shape. */
export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

export function parseNpyHeader(bytes: Uint8Array, path: string): NpyHeader {
  const fail = (problem: string): never => {
    throw new InputError(`${path}: ${problem}; expected a .npy file written by numpy.save of a float32 [count, dim] array.`);
  };
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) fail('no .npy magic number');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength =
    major === 1 ? view.getUint16(8, true) : bytes.length >= 12 ? view.getUint32(8, true) : fail('the header is cut short');
  const start = major === 1 ? 10 : 12;
  if (major < 1 || major > 3) fail(`.npy format version ${major} is not supported`);
  if (start + headerLength > bytes.length) fail('the header is cut short');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    fail(`cannot read the header ${JSON.stringify(text.slice(0, 120))}`);
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`the shape (${shapeText}) is not a tuple of sizes`);
  return { descr: descr!, fortranOrder: fortran === 'True', shape, dataOffset: start + headerLength };
}

async function* readNpyEmbeddings(path: string, idsPath: string): AsyncGenerator<EmbeddingRecord> {
  if (!existsSync(idsPath))
    throw new InputError(
      `${path}: the ids file ${idsPath} does not exist; a .npy of vectors needs its passage ids, one per line, in NAME.ids.txt beside NAME.npy.`,
    );
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(65536 + 12);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const header = parseNpyHeader(head.subarray(0, bytesRead), path);
    if (header.descr !== '<f4' || header.fortranOrder || header.shape.length !== 2) {
      throw new InputError(
        `${path}: holds ${header.descr} of shape (${header.shape.join(', ')})${header.fortranOrder ? ' in Fortran order' : ''}; expected a C-order little-endian float32 ('<f4') [count, dim] array.`,
      );
    }
    const [count, dim] = header.shape as [number, number];
    const ids = readLines(idsPath);
    const row = new Uint8Array(dim * 4);
    for (let r = 0; r < count; r++) {
      const idLine = (await ids.next()).value;
      if (idLine === undefined)
        throw new InputError(`${idsPath}: holds ${r} ids but ${path} holds ${count} vectors; give one id per vector.`);
      const read = await file.read(row, 0, row.length, header.dataOffset + r * row.length);
      if (read.bytesRead !== row.length) throw new InputError(`${path}: ends inside row ${r} of ${count}; the file is cut short.`);
      const id = idLine.text.trim();
      if (id === '') throw new InputError(`${idsPath}:${idLine.line}: the id is empty.`);
      yield { id, vector: new Float32Array(row.slice().buffer), where: `${path} row ${r}` };
    }
    const extra = await ids.next();
    if (extra.done !== true && extra.value.text.trim() !== '')
      throw new InputError(`${idsPath}: holds more ids than the ${count} vectors of ${path}; give one id per vector.`);
    await ids.return(undefined);
  } finally {
    await file.close();
  }
}

/**
 * Checks across records: one dimension for all, every value finite, each id once. Holding every
 * id is what makes duplicates detectable; callers that already index ids (the importer) pass
 * `trackIds: false` and check there.
 */
export class EmbeddingChecker {
  dim: number | undefined;
  private readonly seen = new Map<string, string>();

  constructor(private readonly trackIds = true) {}

  check(record: EmbeddingRecord): void {
    const { id, vector, where } = record;
    if (this.dim === undefined) this.dim = vector.length;
    else if (vector.length !== this.dim) {
      throw new InputError(
        `${where}: the vector of ${JSON.stringify(id)} has ${vector.length} values but earlier ones have ${this.dim}; all embeddings of an index must come from one encoder.`,
      );
    }
    for (let i = 0; i < vector.length; i++) {
      if (!Number.isFinite(vector[i]!)) {
        throw new InputError(
          `${where}: the vector of ${JSON.stringify(id)} holds ${vector[i]} at position ${i}; embeddings must be finite (re-encode this passage).`,
        );
      }
    }
    if (!this.trackIds) return;
    const before = this.seen.get(id);
    if (before !== undefined)
      throw new InputError(`${where}: id ${JSON.stringify(id)} appears again (first at ${before}); each passage must be embedded once.`);
    this.seen.set(id, where);
  }
}
