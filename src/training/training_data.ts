/**
 * DPR's training format (`JsonQADataset`, dpr/data/biencoder_data.py): a JSON list of
 * `{question, answers, positive_ctxs, negative_ctxs, hard_negative_ctxs}`, each context
 * `{title, text, …}`. As DPR, samples without a positive context are dropped, a missing negative
 * list is empty, and a missing title is none.
 *
 * `TrainingFile` streams the file once to find (and check) every sample, keeping only its byte
 * span; a sample is read back by position when a batch needs it. So an 8 GB file costs two numbers
 * per sample in memory, and DPR's whole-dataset shuffle (see data_order.ts) still works.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';
import { JsonElementScanner } from './json_scanner.js';

export interface DprContext {
  /** null when the sample has none (DPR then encodes the text alone). */
  title: string | null;
  text: string;
}

export interface DprSample {
  question: string;
  answers: string[];
  positive_ctxs: DprContext[];
  negative_ctxs: DprContext[];
  hard_negative_ctxs: DprContext[];
}

/** Random access to samples, by position. */
export interface SampleSource {
  readonly size: number;
  get(index: number): DprSample;
}

function contextList(value: unknown, field: string, where: string): DprContext[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError(`${where}: "${field}" must be a list of {title, text} objects.`);
  return value.map((ctx: unknown, i) => {
    const c = ctx as { title?: unknown; text?: unknown } | null;
    if (c === null || typeof c !== 'object' || typeof c.text !== 'string') {
      throw new InputError(`${where}: ${field}[${i}] must be an object with a string "text".`);
    }
    if (c.title !== undefined && c.title !== null && typeof c.title !== 'string') {
      throw new InputError(`${where}: ${field}[${i}].title must be a string.`);
    }
    return { title: typeof c.title === 'string' ? c.title : null, text: c.text };
  });
}

/** Checks one parsed element and returns it in DprSample form. `where` names it in errors. */
function toSample(value: unknown, where: string): DprSample {
  const v = value as Record<string, unknown> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError(`${where}: a sample must be a JSON object.`);
  if (typeof v.question !== 'string') throw new InputError(`${where}: "question" must be a string.`);
  const answers = Array.isArray(v.answers) ? v.answers.filter((a): a is string => typeof a === 'string') : [];
  return {
    question: v.question,
    answers,
    positive_ctxs: contextList(v.positive_ctxs, 'positive_ctxs', where),
    negative_ctxs: contextList(v.negative_ctxs, 'negative_ctxs', where),
    hard_negative_ctxs: contextList(v.hard_negative_ctxs, 'hard_negative_ctxs', where),
  };
}

/** Samples held in memory (tests, small sets, the library API). Drops those without positives, as DPR. */
export class InMemorySamples implements SampleSource {
  private readonly samples: DprSample[];

  constructor(samples: readonly unknown[], source = 'samples') {
    this.samples = samples.map((s, i) => toSample(s, `${source}[${i}]`)).filter((s) => s.positive_ctxs.length > 0);
  }

  get size(): number {
    return this.samples.length;
  }

  get(index: number): DprSample {
    const sample = this.samples[index];
    if (sample === undefined) throw new InputError(`sample index ${index} is outside [0, ${this.size}).`);
    return sample;
  }
}

export interface TrainingFileOptions {
  /** Read size while scanning (default 4 MiB). */
  chunkBytes?: number;
  /** Called after each chunk with bytes scanned so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export class TrainingFile implements SampleSource {
  /** Samples dropped because they have no positive context (DPR drops them too). */
  readonly droppedWithoutPositives: number;
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly spans: Float64Array,
    readonly size: number,
    dropped: number,
  ) {
    this.fd = fd;
    this.droppedWithoutPositives = dropped;
  }

  /** Scans the whole file once, checking every sample; throws InputError naming the file and sample. */
  static open(path: string, options: TrainingFileOptions = {}): TrainingFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (e) {
      throw new InputError(`cannot read training file ${path}: ${(e as Error).message}`);
    }
    try {
      const { spans, count, dropped } = scanFile(fd, path, options);
      if (count === 0) throw new InputError(`${path} holds no sample with a positive context; nothing to train on.`);
      return new TrainingFile(path, fd, spans, count, dropped);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  get(index: number): DprSample {
    if (this.fd === null) throw new InputError(`${this.path} is closed.`);
    if (!Number.isInteger(index) || index < 0 || index >= this.size)
      throw new InputError(`sample index ${index} is outside [0, ${this.size}).`);
    const start = this.spans[2 * index]!;
    const length = this.spans[2 * index + 1]! - start;
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, bytes, done, length - done, start + done);
      if (n === 0) throw new InputError(`${this.path} changed while training: sample ${index} is cut short.`);
      done += n;
    }
    return toSample(JSON.parse(decoder.decode(bytes)), `${this.path} sample ${index}`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function scanFile(fd: number, path: string, options: TrainingFileOptions): { spans: Float64Array; count: number; dropped: number } {
  const total = fstatSync(fd).size;
  const chunk = new Uint8Array(options.chunkBytes ?? 4 << 20);
  const scanner = new JsonElementScanner(path);
  let spans = new Float64Array(2048);
  let count = 0;
  let dropped = 0;
  let position = 0;
  for (;;) {
    const n = readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    position += n;
    for (const element of scanner.push(chunk.subarray(0, n))) {
      const where = `${path} element ${scanner.count - 1} (byte ${element.start})`;
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(element.bytes));
      } catch (e) {
        throw new InputError(`${where}: not valid JSON (${(e as Error).message}).`);
      }
      if (toSample(parsed, where).positive_ctxs.length === 0) {
        dropped++;
        continue;
      }
      if (2 * count + 2 > spans.length) {
        const grown = new Float64Array(spans.length * 2);
        grown.set(spans);
        spans = grown;
      }
      spans[2 * count] = element.start;
      spans[2 * count + 1] = element.end;
      count++;
    }
    options.onProgress?.(position, total);
  }
  scanner.finish();
  return { spans, count, dropped };
}
