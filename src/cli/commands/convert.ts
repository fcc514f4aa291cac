/**
 * `dpr convert SRC_DIR OUT_DIR [--dtype float32|float16] [--from auto|safetensors|pytorch] [--force]`:
 * turns a HuggingFace DPR checkpoint directory into one `fromPretrained` loads (see src/io/convert.ts).
 */
import { InputError } from '../../errors.js';
import { convertCheckpoint, type OutputDtype, type SourceKind } from '../../io/convert.js';
import { type CommandSpec, flag, parseArgsOrHelp, str } from '../args.js';
import type { FlagNames } from '../option_flags.js';

export const SPEC: CommandSpec = {
  name: 'dpr convert',
  summary:
    'Read SRC_DIR/config.json and SRC_DIR/model.safetensors or SRC_DIR/pytorch_model.bin (torch.save zip or legacy format; no Python needed) ' +
    'and write OUT_DIR/model.safetensors, config.json and the tokenizer files. OUT_DIR is written through a temporary directory, ' +
    'never left half-written, and never SRC_DIR itself.',
  usage: 'SRC_DIR OUT_DIR [--dtype float32|float16] [--from auto|safetensors|pytorch] [--force]',
  positionals: { name: 'SRC_DIR OUT_DIR', description: 'the HF checkpoint directory, and the directory to write' },
  options: {
    dtype: {
      type: 'string',
      choices: ['float32', 'float16'],
      default: 'float32',
      description: 'float16 halves the size; loading computes in float32',
    },
    from: {
      type: 'string',
      choices: ['auto', 'safetensors', 'pytorch'],
      default: 'auto',
      description: 'which weights file to read (auto: model.safetensors if present)',
    },
    force: { type: 'boolean', description: 'replace files already present in OUT_DIR' },
  },
};

// The library's option names, as this command's arguments and flags.
export const FLAGS: FlagNames = { srcDir: 'SRC_DIR', outDir: 'OUT_DIR', overwrite: '--force', dtype: '--dtype', from: '--from' };

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  if (args.positionals.length !== 2) {
    throw new InputError(
      `expected SRC_DIR and OUT_DIR, got ${args.positionals.length} argument(s). Run \`dpr convert --help\` for the usage.`,
    );
  }
  const [srcDir, outDir] = args.positionals as [string, string];
  const dtype = str(args, 'dtype') as OutputDtype;
  const from = str(args, 'from') as SourceKind;
  const overwrite = flag(args, 'force');
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
