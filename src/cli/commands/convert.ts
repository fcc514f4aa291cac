/**
 * `dpr convert SRC_DIR OUT_DIR [--dtype float32|float16] [--from auto|safetensors|pytorch] [--force]`:
 * turns a HuggingFace DPR checkpoint directory into one `fromPretrained` loads (see src/io/convert.ts).
 */
import { convertCheckpoint, type OutputDtype, type SourceKind } from '../../io/convert.js';

export const USAGE = `usage: dpr convert SRC_DIR OUT_DIR [--dtype float32|float16] [--from auto|safetensors|pytorch] [--force]

Reads SRC_DIR/config.json and SRC_DIR/model.safetensors or SRC_DIR/pytorch_model.bin (torch.save zip
or legacy format; no Python needed) and writes OUT_DIR/model.safetensors, config.json and the
tokenizer files. OUT_DIR is written through a temporary directory, never left half-written.

  --dtype   float32 (default) or float16 (half the size; loading computes in float32)
  --from    which weights file to read: auto (default: model.safetensors if present), safetensors, pytorch
  --force   replace files already present in OUT_DIR`;

export async function run(argv: string[]): Promise<number> {
  const positional: string[] = [];
  let dtype: OutputDtype = 'float32';
  let from: SourceKind = 'auto';
  let overwrite = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (flag === '--dtype') {
      const v = value();
      if (v !== 'float32' && v !== 'float16') return usageError(`--dtype must be float32 or float16, got ${JSON.stringify(v ?? '')}`);
      dtype = v;
    } else if (flag === '--from') {
      const v = value();
      if (v !== 'auto' && v !== 'safetensors' && v !== 'pytorch') return usageError(`--from must be auto, safetensors or pytorch, got ${JSON.stringify(v ?? '')}`);
      from = v;
    } else if (flag === '--force') {
      overwrite = true;
    } else if (arg.startsWith('-')) {
      return usageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 2) return usageError(`expected SRC_DIR and OUT_DIR, got ${positional.length} argument(s)`);
  const [srcDir, outDir] = positional as [string, string];
  const started = process.hrtime.bigint();
  const report = await convertCheckpoint(srcDir, outDir, { dtype, from, overwrite });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const w of report.warnings) process.stderr.write(`dpr convert: warning: ${w}\n`);
  const lines = [
    `converted ${report.source} (${report.sourceFormat}, ${report.architecture})`,
    `  -> ${report.outDir}: ${report.tensors} tensors, ${report.dtype}, ${(report.bytesWritten / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s`,
    `  files: ${report.copiedFiles.join(', ')}, model.safetensors`,
  ];
  if (report.dropped.length > 0) lines.push(`  dropped (unused by HF): ${report.dropped.join(', ')}`);
  if (report.renamed.length > 0) lines.push(`  renamed: ${report.renamed.map((r) => `${r.from} -> ${r.to}`).join(', ')}`);
  if (report.unknown.length > 0) lines.push(`  unknown keys, not written: ${report.unknown.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function usageError(problem: string): number {
  process.stderr.write(`dpr convert: ${problem}\n${USAGE}\n`);
  return 2;
}
