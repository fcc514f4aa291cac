// `dpr train` as other tools call it: the reference run's cli_equivalent flags, HF directories and
// the loss record written, --resume continuing exactly (dropout on), errors worded for flags.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsFile } from '../../src/io/safetensors.js';
import { runCli } from '../helpers/cli.js';
import { expectAllClose } from '../helpers/all_close.js';
import { loadReferenceRun } from './reference_run.js';

const run = loadReferenceRun();
const cli = run.batch.cli_equivalent;
const FLAGS = [
  '--batch-size',
  String(cli['batch_size']),
  '--hard-negatives',
  String(cli['hard_negatives']),
  '--other-negatives',
  String(cli['other_negatives']),
  '--epochs',
  String(cli['epochs']),
  '--lr',
  String(cli['lr']),
  '--warmup-steps',
  String(cli['warmup_steps']),
  '--max-grad-norm',
  String(cli['max_grad_norm']),
  '--weight-decay',
  String(cli['weight_decay']),
  '--max-length',
  String(cli['max_length']),
];

function lossColumn(csvPath: string): number[] {
  return readFileSync(csvPath, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Number(line.split(',')[2]));
}

test('dpr train with the reference cli_equivalent writes HF directories holding the reference result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-cli-train-'));
  try {
    writeFileSync(join(dir, 'train.json'), JSON.stringify(run.batch.samples));
    const out = join(dir, 'out');
    const result = await runCli([
      'train',
      '--question-model',
      join(run.dir, 'question_encoder'),
      '--context-model',
      join(run.dir, 'context_encoder'),
      '--train',
      join(dir, 'train.json'),
      '--out',
      out,
      ...FLAGS,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /trained 3 updates/);
    for (const kind of ['question', 'context']) {
      for (const file of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
        assert.ok(existsSync(join(out, `${kind}_encoder`, file)), `${kind}_encoder/${file}`);
      }
    }
    const config = JSON.parse(readFileSync(join(out, 'context_encoder', 'config.json'), 'utf8')) as { architectures: string[] };
    assert.deepEqual(config.architectures, ['DPRContextEncoder']);
    expectAllClose(lossColumn(join(out, 'loss.csv')), run.batch.losses, { atol: 1e-5, label: 'loss.csv' });
    const written = SafetensorsFile.open(join(out, 'context_encoder', 'model.safetensors'));
    const name = 'ctx_encoder.bert_model.encoder.layer.1.output.dense.weight';
    expectAllClose(written.readFloat32(name), run.expected.readFloat32(`after/context/${name}`), { atol: 1e-5, label: name });
    assert.equal(written.header.metadata['format'], 'pt');
    written.close();
    assert.ok(existsSync(join(out, 'checkpoints', 'step-000003', 'optimizer.safetensors')));
    assert.ok(existsSync(join(out, 'loss.svg')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dpr train --resume continues from the latest checkpoint with the same losses as an uninterrupted run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dpr-cli-resume-'));
  try {
    // The reference encoders with dropout on, so the resumed run must also redraw the same masks.
    for (const kind of ['question', 'context']) {
      cpSync(join(run.dir, `${kind}_encoder`), join(dir, kind), { recursive: true });
      const configPath = join(dir, kind, 'config.json');
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
      writeFileSync(configPath, JSON.stringify({ ...config, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1 }));
    }
    const samples = [
      ...run.batch.samples,
      ...run.batch.samples.map((s) => ({ ...(s as object), question: `${(s as { question: string }).question} again` })),
    ];
    writeFileSync(join(dir, 'train.json'), JSON.stringify(samples));
    const args = (out: string) => [
      'train',
      '--question-model',
      join(dir, 'question'),
      '--context-model',
      join(dir, 'context'),
      '--train',
      join(dir, 'train.json'),
      '--out',
      out,
      '--batch-size',
      '2',
      '--epochs',
      '3',
      '--lr',
      '1e-3',
      '--warmup-steps',
      '2',
      '--max-length',
      '32',
      '--checkpoint-every',
      '2',
      '--seed',
      '7',
    ];
    const full = await runCli(args(join(dir, 'a')));
    assert.equal(full.code, 0, full.stderr);
    const uninterrupted = lossColumn(join(dir, 'a', 'loss.csv'));
    assert.equal(uninterrupted.length, 9);
    // As if the run had stopped after update 4 (mid-epoch 2): only that checkpoint exists.
    mkdirSync(join(dir, 'b', 'checkpoints'), { recursive: true });
    cpSync(join(dir, 'a', 'checkpoints', 'step-000004'), join(dir, 'b', 'checkpoints', 'step-000004'), { recursive: true });
    const resumed = await runCli([...args(join(dir, 'b')), '--resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(lossColumn(join(dir, 'b', 'loss.csv')), uninterrupted);
    const a = SafetensorsFile.open(join(dir, 'a', 'question_encoder', 'model.safetensors'));
    const b = SafetensorsFile.open(join(dir, 'b', 'question_encoder', 'model.safetensors'));
    for (const name of a.names.filter((n) => !n.endsWith('position_ids'))) assert.deepEqual(b.readFloat32(name), a.readFloat32(name), name);
    a.close();
    b.close();

    const noCheckpoint = await runCli([...args(join(dir, 'c')), '--resume']);
    assert.equal(noCheckpoint.code, 1);
    assert.match(noCheckpoint.stderr, /holds no complete checkpoint/);
    const changed = await runCli([...args(join(dir, 'b')).map((x) => (x === '7' ? '8' : x)), '--resume']);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /trained with seed = 7, this run has 8/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dpr train names a missing flag', async () => {
  const result = await runCli(['train', '--question-model', 'q', '--context-model', 'c', '--out', 'o']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /--train/);
});
