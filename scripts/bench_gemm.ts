/**
 * matMul throughput on BERT-base's shapes (batch 32 × 128 tokens): tfjs-backend-wasm's own
 * kernel against the optional native one (src/kernels/native_matmul.ts), 1 and 2 threads, both
 * called through tfjs on the wasm backend, so the glue is in the numbers. With --e2e, also a
 * random-weights BERT-base DPR context encoder end to end, and where its time goes per kernel.
 *
 *   node --import tsx scripts/bench_gemm.ts [--reps 5] [--e2e] [--batch 32] [--seq 128] [--quick]
 *     [--e2e-only --threads N]
 *
 * --quick skips tfjs's transposed-operand path for the linear shapes (~2.5 GFLOP/s, minutes).
 * --e2e-only --threads N times only the encoder with the native kernel on N threads (run two
 * such processes at once to see what one worker per core would get).
 * Each cell is the best of --reps runs, after one warm-up; the median is printed too, as a check
 * on noise from other processes sharing the cores.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { makeConfig } from '../src/config.js';
import { registerNativeKernels, unregisterNativeKernels, nativeKernelStatus } from '../src/kernels/native_kernels.js';
import { TFDPRContextEncoder } from '../src/models/context_encoder.js';
import { randomWeightArrays, seededRandom } from '../src/models/random_weights.js';

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    e2e: { type: 'boolean', default: false },
    batch: { type: 'string', default: '32' },
    seq: { type: 'string', default: '128' },
    quick: { type: 'boolean', default: false },
    'e2e-only': { type: 'boolean', default: false },
    threads: { type: 'string', default: '1' },
  },
});
const reps = Number(args.reps);
const B = Number(args.batch);
const T = Number(args.seq);

interface Shape {
  label: string;
  a: number[];
  b: number[];
  transposeB: boolean;
}

const H = 768;
const I = 3072;
const rows = B * T;
const heads = B * 12;
const shapes: Shape[] = [
  // The model multiplies by weights transposed once at load ([in, out]); `Wᵀ` rows are the
  // PyTorch layout [out, in] multiplied with transposeB, as the issue states the shapes.
  { label: `[${rows}×${H}]·[${H}×${H}]ᵀ`, a: [rows, H], b: [H, H], transposeB: true },
  { label: `[${rows}×${H}]·[${I}×${H}]ᵀ`, a: [rows, H], b: [I, H], transposeB: true },
  { label: `[${rows}×${I}]·[${H}×${I}]ᵀ`, a: [rows, I], b: [H, I], transposeB: true },
  { label: `[${rows}×${H}]·[${H}×${H}] (pre-transposed W)`, a: [rows, H], b: [H, H], transposeB: false },
  { label: `[${rows}×${H}]·[${H}×${I}] (pre-transposed W)`, a: [rows, H], b: [H, I], transposeB: false },
  { label: `[${rows}×${I}]·[${I}×${H}] (pre-transposed W)`, a: [rows, I], b: [I, H], transposeB: false },
  { label: `[${heads},${T},64]·[${heads},${T},64]ᵀ (Q·Kᵀ)`, a: [heads, T, 64], b: [heads, T, 64], transposeB: true },
  { label: `[${heads},${T},${T}]·[${heads},${T},64] (P·V)`, a: [heads, T, T], b: [heads, T, 64], transposeB: false },
];

function flops(s: Shape): number {
  const batch = s.a.length === 3 ? s.a[0]! : 1;
  const m = s.a[s.a.length - 2]!;
  const k = s.a[s.a.length - 1]!;
  const n = s.transposeB ? s.b[s.b.length - 2]! : s.b[s.b.length - 1]!;
  return 2 * batch * m * n * k;
}

function time(fn: () => void, runs: number): { best: number; median: number } {
  fn(); // warm-up: first-call allocation and, for wasm, heap growth
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { best: times[0]!, median: times[Math.floor(times.length / 2)]! };
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
}

type Variant = { name: string; threads: number | null };
const variants: Variant[] = args['e2e-only']
  ? [{ name: `native ${args.threads} thread(s)`, threads: Number(args.threads) }]
  : [
      { name: 'tfjs wasm', threads: null },
      { name: 'native 1 thread', threads: 1 },
      { name: 'native 2 threads', threads: 2 },
    ];

async function use(v: Variant): Promise<void> {
  unregisterNativeKernels();
  if (v.threads !== null && !(await registerNativeKernels({ threads: v.threads, backends: ['wasm'] }))) {
    throw new Error(`native matMul unavailable: ${nativeKernelStatus().reason}`);
  }
}

async function gemmTable(): Promise<void> {
  const widths = [52, 18, 10, 10, 9];
  console.log(row(['shape', 'kernel', 'best ms', 'median ms', 'GFLOP/s'], widths));
  for (const s of shapes) {
    const a = tf.randomNormal(s.a);
    const b = tf.randomNormal(s.b);
    for (const v of variants) {
      await use(v);
      const slow = v.threads === null && s.transposeB && s.a.length === 2;
      if (slow && args.quick) {
        console.log(row([s.label, v.name, '-', '-', 'skipped (--quick)'], widths));
        continue;
      }
      // (The tidy returns nothing: handed a TypedArray, tidy would walk its millions of entries.)
      const t = time(() => tf.tidy(() => void tf.matMul(a, b, false, s.transposeB).dataSync()), slow ? 1 : reps);
      console.log(row([s.label, v.name, t.best.toFixed(1), t.median.toFixed(1), (flops(s) / t.best / 1e6).toFixed(1)], widths));
    }
    tf.dispose([a, b]);
  }
}

async function e2e(): Promise<void> {
  const config = makeConfig({});
  const weights = randomWeightArrays(TFDPRContextEncoder.weightSpecs(config));
  const model = TFDPRContextEncoder.fromWeights(config, weights);
  weights.clear();
  const random = seededRandom(3);
  const input_ids = Array.from({ length: B }, () => Array.from({ length: T }, () => 1000 + Math.floor(random() * 20000)));
  const encode = () => {
    const out = model.call({ input_ids });
    out.pooler_output.dataSync();
    tf.dispose(out);
  };
  console.log(`\nBERT-base DPR context encoder, random weights, batch ${B} × ${T} tokens (passages/s from the best run)`);
  const pooled: Record<string, Float32Array> = {};
  for (const v of variants) {
    await use(v);
    const runs = v.threads === null ? 1 : reps;
    const t = time(encode, runs);
    const out = model.call({ input_ids });
    pooled[v.name] = out.pooler_output.dataSync() as Float32Array;
    tf.dispose(out);
    console.log(
      `${v.name.padEnd(18)} best ${(t.best / 1000).toFixed(2)} s  median ${(t.median / 1000).toFixed(2)} s  ${(B / (t.best / 1000)).toFixed(2)} passages/s  (${runs} run${runs > 1 ? 's' : ''})`,
    );
  }
  const reference = pooled['tfjs wasm'];
  if (reference === undefined) return model.dispose();
  for (const v of variants.slice(1)) {
    let worst = 0;
    pooled[v.name]!.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - reference[i]!))));
    console.log(`max |pooler_output − tfjs wasm| with ${v.name}: ${worst.toExponential(2)}`);
  }

  // Where the time goes with the fastest native variant (the last): tfjs's per-kernel timings.
  await use(variants[variants.length - 1]!);
  const profile = await tf.profile(() => {
    const out = model.call({ input_ids });
    out.pooler_output.dataSync();
    tf.dispose(out);
  });
  const byKernel = new Map<string, number>();
  // Entries named `<op>__op` wrap a kernel listed on its own; counting them would count it twice.
  for (const k of profile.kernels) {
    if (k.name.endsWith('__op')) continue;
    byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  const total = [...byKernel.values()].reduce((x, y) => x + y, 0);
  console.log(`\nper-kernel time, native 2 threads (tf.profile, ${(total / 1000).toFixed(2)} s in kernels):`);
  for (const [name, ms] of [...byKernel].sort((x, y) => y[1] - x[1]).slice(0, 12)) {
    console.log(`  ${name.padEnd(16)} ${(ms / 1000).toFixed(2)} s  ${((100 * ms) / total).toFixed(1)}%`);
  }
  model.dispose();
}

await tf.setBackend('wasm');
console.log(`tfjs ${tf.version_core}, backend wasm (SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}, single-threaded)`);
await use(variants[variants.length - 1]!);
console.log(`native kernel: ${JSON.stringify(nativeKernelStatus())}\n`);
if (!args['e2e-only']) await gemmTable();
if (args.e2e || args['e2e-only']) await e2e();
