/**
 * Conversion benchmark: generates a BERT-base-sized DPR question encoder checkpoint
 * (hidden 768, 12 layers, vocab 30522: ~109M parameters, ~438 MB) in a temporary directory, in the
 * zip (torch >= 1.6) and legacy formats, and converts it in a child process, reporting wall time
 * and the child's peak RSS (`process.resourceUsage().maxRSS`). A child that only loads the
 * converter gives the runtime's own baseline.
 *
 *   node --import tsx scripts/bench_convert.ts          # prints a table
 *   import { benchConvert } from './bench_convert.js'   # rows for scripts/bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeConfig } from '../src/config.js';
import { TFDPRQuestionEncoder } from '../src/models/question_encoder.js';
import { randomF32Bytes, simpleTensors, writeLegacyCheckpoint, writeZipCheckpoint } from '../test/io/torch_fixture.js';

const SELF = fileURLToPath(import.meta.url);

const BERT_BASE = {
  architectures: ['DPRQuestionEncoder'],
  model_type: 'dpr',
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute' as const,
  projection_dim: 0,
};

/** Writes config.json and pytorch_model.bin (with the position_ids buffer HF saves) into `dir`. */
function generate(dir: string, format: 'zip' | 'legacy'): number {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(BERT_BASE, null, 2));
  const config = makeConfig(BERT_BASE);
  const weights = TFDPRQuestionEncoder.weightSpecs(config);
  const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  const specs = simpleTensors(weights.map((w) => ({ name: w.name, dtype: 'F32' as const, shape: w.shape, data: new Uint8Array(0) })));
  // Storages are produced one at a time while the file is written, so the generator stays small too.
  specs.storages = weights.map((w, i) => ({
    key: String(i),
    dtype: 'F32',
    byteLength: numel(w.shape) * 4,
    data: () => randomF32Bytes(numel(w.shape), i + 1),
  }));
  const positionIds = new BigInt64Array(512).map((_, i) => BigInt(i));
  specs.tensors.push({ name: 'question_encoder.bert_model.embeddings.position_ids', storage: 'pos', offset: 0, shape: [1, 512] });
  specs.storages.push({ key: 'pos', dtype: 'I64', byteLength: 512 * 8, data: new Uint8Array(positionIds.buffer) });
  const path = join(dir, 'pytorch_model.bin');
  if (format === 'zip') writeZipCheckpoint(path, specs.tensors, specs.storages, { archive: 'pytorch_model' });
  else writeLegacyCheckpoint(path, specs.tensors, specs.storages);
  return statSync(path).size;
}

interface ChildResult {
  seconds: number;
  maxRssKb: number;
}

function runChild(args: string[]): ChildResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--child', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench child failed (${r.status}): ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as ChildResult;
}

export async function benchConvert(): Promise<Array<Record<string, string | number>>> {
  const root = mkdtempSync(join(tmpdir(), 'dpr-bench-convert-'));
  const rows: Array<Record<string, string | number>> = [];
  try {
    const baseline = runChild(['baseline']);
    for (const format of ['zip', 'legacy'] as const) {
      const src = join(root, `src-${format}`);
      const fileBytes = generate(src, format);
      const dtypes = format === 'zip' ? (['float32', 'float16'] as const) : (['float32'] as const);
      for (const dtype of dtypes) {
        const out = join(root, `out-${format}-${dtype}`);
        const r = runChild(['convert', src, out, dtype]);
        rows.push({
          workload: 'convert',
          source: `pytorch-${format}`,
          dtype,
          file_mb: +(fileBytes / 1e6).toFixed(1),
          out_mb: +(statSync(join(out, 'model.safetensors')).size / 1e6).toFixed(1),
          seconds: +r.seconds.toFixed(2),
          peak_rss_mb: +(r.maxRssKb / 1024).toFixed(0),
          baseline_rss_mb: +(baseline.maxRssKb / 1024).toFixed(0),
          peak_over_file: +((r.maxRssKb * 1024) / fileBytes).toFixed(2),
        });
        rmSync(out, { recursive: true, force: true });
      }
      rmSync(src, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

/**
 * This process's peak RSS. Linux's VmHWM belongs to the address space, which execve replaces, so
 * it counts only this program; getrusage's maxRSS is inherited from the parent across fork+exec
 * and would report a big parent's size (as when the whole bench suite runs in one process).
 */
function peakRssKb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS;
}

async function child(args: string[]): Promise<void> {
  const { convertCheckpoint } = await import('../src/io/convert.js');
  const started = process.hrtime.bigint();
  if (args[0] === 'convert') {
    await convertCheckpoint(args[1]!, args[2]!, { dtype: args[3] as 'float32' | 'float16', from: 'pytorch' });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds, maxRssKb: peakRssKb() })}\n`);
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--child') {
    await child(process.argv.slice(3));
  } else {
    const rows = await benchConvert();
    console.table(rows);
  }
}
