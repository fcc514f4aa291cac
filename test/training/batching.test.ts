// DPR's data order, batch composition and tokenisation; expected orders printed by CPython running
// DPR's own calls (random.Random(seed + epoch).shuffle, random.seed(seed + epoch + iteration)).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchesPerEpoch, batchPositions, epochOrder, negativesRandom } from '../../src/training/data_order.js';
import { createBiEncoderTexts, tokenizeContexts, tokenizeQuestions } from '../../src/training/biencoder_batch.js';
import { InMemorySamples, type DprSample } from '../../src/training/training_data.js';
import { DPRContextEncoderTokenizer, DPRQuestionEncoderTokenizer } from '../../src/tokenizers/dpr_tokenizers.js';
import { loadReferenceRun, readRows } from './reference_run.js';

test('epoch order is random.Random(seed + epoch).shuffle over all samples; full batches only', () => {
  const opts = { batchSize: 3, seed: 42, shuffle: true };
  assert.deepEqual(epochOrder(11, 0, opts), [7, 3, 2, 8, 5, 6, 9, 4, 0, 1, 10]);
  assert.deepEqual(epochOrder(11, 1, opts), [9, 1, 6, 3, 10, 5, 8, 7, 2, 4, 0]);
  assert.deepEqual(epochOrder(11, 3, { ...opts, seed: 12345 }), [1, 8, 6, 10, 5, 9, 3, 4, 7, 2, 0]);
  assert.deepEqual(epochOrder(4, 5, { ...opts, shuffle: false }), [0, 1, 2, 3]);
  assert.equal(batchesPerEpoch(11, 3), 3);
  assert.deepEqual(batchPositions(epochOrder(11, 0, opts), 2, 3), [9, 4, 0]);
  assert.equal(negativesRandom(0, 0, { ...opts, shuffle: false }), null);
});

const ctx = (text: string) => ({ title: `t ${text}`, text });

test('create_biencoder_input: [positive, other negatives, hard negatives] per question, pools shuffled as DPR', () => {
  const samples: DprSample[] = [
    {
      question: 'it’s q0',
      answers: [],
      positive_ctxs: [ctx('p0'), ctx('p0b')],
      negative_ctxs: ['n0', 'n1', 'n2', 'n3', 'n4'].map(ctx),
      hard_negative_ctxs: ['h0', 'h1', 'h2', 'h3'].map(ctx),
    },
    { question: 'q1', answers: [], positive_ctxs: [ctx('p1')], negative_ctxs: ['m0', 'm1', 'm2'].map(ctx), hard_negative_ctxs: [] },
  ];
  // CPython: random.seed(42 + 1 + 2); shuffle(n0..n4) → n0 n4 n1 n3 n2; shuffle(h0..h3) → h3 h2 h1 h0;
  // then for q1: shuffle(m0..m2) → m1 m2 m0, no hard negatives → its first two negatives stand in.
  const rng = negativesRandom(1, 1, { batchSize: 2, seed: 42, shuffle: true });
  const texts = createBiEncoderTexts(samples, { hardNegatives: 2, otherNegatives: 1 }, rng);
  assert.deepEqual(
    texts.contexts.map((c) => c.text),
    ['p0', 'n0', 'h3', 'h2', 'p1', 'm1', 'm1', 'm2'],
  );
  assert.deepEqual(texts.positiveIndices, [0, 4]);
  assert.deepEqual(texts.hardNegativeIndices, [
    [2, 3],
    [6, 7],
  ]);
  assert.deepEqual(texts.questions, ["it's q0", 'q1']);
  const unshuffled = createBiEncoderTexts(samples, { hardNegatives: 1, otherNegatives: 0, hardNegativeFallback: false }, null);
  assert.deepEqual(
    unshuffled.contexts.map((c) => c.text),
    ['p0', 'h0', 'p1'],
  );
  assert.deepEqual(unshuffled.hardNegativeIndices, [[1], []]);
});

test('tokenised batch equals the reference run input ids, type ids and masks', async () => {
  const run = loadReferenceRun();
  const samples = new InMemorySamples(run.batch.samples);
  const texts = createBiEncoderTexts(
    [0, 1, 2].map((i) => samples.get(i)),
    { hardNegatives: 1, otherNegatives: 0 },
    null,
  );
  const qTok = await DPRQuestionEncoderTokenizer.fromPretrained(`${run.dir}/question_encoder`);
  const cTok = await DPRContextEncoderTokenizer.fromPretrained(`${run.dir}/context_encoder`);
  const q = tokenizeQuestions(qTok, texts.questions, { maxLength: run.batch.max_length });
  const c = tokenizeContexts(cTok, texts.contexts, { maxLength: run.batch.max_length });
  for (const field of ['input_ids', 'token_type_ids', 'attention_mask'] as const) {
    assert.deepEqual(q[field], readRows(run.expected, `input/question/${field}`), `question ${field}`);
    assert.deepEqual(c[field], readRows(run.expected, `input/context/${field}`), `context ${field}`);
  }
  assert.deepEqual(texts.positiveIndices, [0, 2, 4]);
  const zeros = tokenizeContexts(cTok, texts.contexts, { maxLength: 64, contextTokenTypes: 'zeros' });
  assert.ok(zeros.token_type_ids.flat().every((t) => t === 0));
  const short = tokenizeContexts(cTok, texts.contexts, { maxLength: 8 });
  assert.deepEqual(
    short.input_ids.map((r) => r.length),
    [8, 8, 8, 8, 8, 8],
  );
  assert.ok(
    short.input_ids.every((r) => r[7] === cTok.sep_token_id),
    'truncated rows end with [SEP]',
  );
  run.expected.close();
});
