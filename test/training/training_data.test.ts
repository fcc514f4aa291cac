import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonElementScanner } from '../../src/training/json_scanner.js';
import { InMemorySamples, TrainingFile } from '../../src/training/training_data.js';
import { InputError } from '../../src/errors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Scans `text` fed in pieces of `size` bytes; returns the parsed elements. */
function scanInPieces(text: string, size: number): unknown[] {
  const bytes = enc.encode(text);
  const scanner = new JsonElementScanner('test.json');
  const out: unknown[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    for (const e of scanner.push(bytes.subarray(i, i + size))) {
      assert.equal(dec.decode(bytes.subarray(e.start, e.end)), dec.decode(e.bytes));
      out.push(JSON.parse(dec.decode(e.bytes)));
    }
  }
  scanner.finish();
  return out;
}

const tricky = [
  { question: 'brace } in a string, a quote \\" and [brackets]', positive_ctxs: [{ title: 'x', text: '{"not": "json"}' }] },
  { question: 'unicode é 東京 😀 \\\\', nested: { a: [1, { b: [] }] } },
  {},
];

test('the scanner finds every element of a list, whatever the chunk size', () => {
  const text = '\uFEFF  [\n' + tricky.map((t) => JSON.stringify(t, null, 2)).join(' ,\n') + '\n]\n';
  for (const size of [1, 2, 3, 7, 64, 1 << 20]) assert.deepEqual(scanInPieces(text, size), tricky, `chunk ${size}`);
  assert.deepEqual(scanInPieces('[]', 1), []);
});

test('the scanner also reads one object per line (JSONL)', () => {
  const text = tricky.map((t) => JSON.stringify(t)).join('\n') + '\n';
  for (const size of [1, 5, 4096]) assert.deepEqual(scanInPieces(text, size), tricky);
});

test('the scanner rejects what is not a list of objects, naming the byte', () => {
  const cases: [string, RegExp][] = [
    ['[{"a":1},]', /a trailing comma at byte 9/],
    ['[{"a":1} {"b":2}]', /expected "," or "]" after element 0 at byte 9/],
    ['[1, 2]', /element 0 is not an object at byte 1/],
    ['[{"a":1}] x', /data after the end of the list at byte 10/],
    ['[{"a":"unterminated}]', /ends inside element 0/],
    ['[{"a":1}', /before the closing "\]"/],
    ['"text"', /unexpected "\\"" at byte 0/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => scanInPieces(text, 3),
      (e: unknown) => e instanceof InputError && message.test((e as Error).message),
      text,
    );
  }
});

test('TrainingFile indexes a file, drops samples without positives and reads any sample back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-train-'));
  try {
    const samples = [
      {
        question: 'q0',
        answers: ['a'],
        positive_ctxs: [{ title: 'T0', text: 'p0' }],
        negative_ctxs: [],
        hard_negative_ctxs: [{ title: 'H', text: 'h0' }],
      },
      { question: 'dropped', answers: [], positive_ctxs: [] },
      { question: 'q2 é', answers: [], positive_ctxs: [{ text: 'no title' }] },
    ];
    const path = join(dir, 'train.json');
    writeFileSync(path, JSON.stringify(samples, null, 1));
    const progress: number[] = [];
    const file = TrainingFile.open(path, { chunkBytes: 16, onProgress: (read) => progress.push(read) });
    assert.equal(file.size, 2);
    assert.equal(file.droppedWithoutPositives, 1);
    assert.ok(progress.length > 5);
    assert.deepEqual(file.get(1), {
      question: 'q2 é',
      answers: [],
      positive_ctxs: [{ title: null, text: 'no title' }],
      negative_ctxs: [],
      hard_negative_ctxs: [],
    });
    assert.equal(file.get(0).hard_negative_ctxs[0]!.text, 'h0');
    assert.throws(() => file.get(2), /sample index 2 is outside \[0, 2\)/);
    file.close();

    writeFileSync(path, '[{"question": "q", "positive_ctxs": [{"title": "t"}]}]');
    assert.throws(
      () => TrainingFile.open(path),
      (e: unknown) =>
        e instanceof InputError &&
        /element 0 \(byte 1\): positive_ctxs\[0\] must be an object with a string "text"/.test((e as Error).message),
    );
    writeFileSync(path, '[{"question": "q", "positive_ctxs": []}]');
    assert.throws(() => TrainingFile.open(path), /holds no sample with a positive context/);
    assert.throws(
      () => TrainingFile.open(join(dir, 'missing.json')),
      (e: unknown) => e instanceof InputError && /cannot read training file/.test((e as Error).message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('InMemorySamples checks samples the same way', () => {
  const s = new InMemorySamples([
    { question: 'q', positive_ctxs: [{ title: 't', text: 'x' }] },
    { question: 'none', positive_ctxs: [] },
  ]);
  assert.equal(s.size, 1);
  assert.throws(() => new InMemorySamples([{ question: 3 }]), /samples\[0\]: "question" must be a string/);
});
