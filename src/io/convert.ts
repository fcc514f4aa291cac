/**
 * Converts a HuggingFace DPR checkpoint directory (config.json plus model.safetensors or
 * pytorch_model.bin in either torch.save format) into a directory `fromPretrained` loads:
 * `model.safetensors` with HF's names, `config.json` and the tokenizer files.
 *
 * Weights stream: the source is opened (headers and pickle only), every key and shape is checked
 * against what config.json implies, and only then are tensors read and written one at a time, so
 * peak memory is about one tensor (the word embeddings) on top of the runtime, whatever the file size.
 * Everything is written into a staging directory next to OUT_DIR and renamed into place at the
 * end; on any failure the staging directory is removed, so OUT_DIR is never left half-written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { architectureOf, loadConfig, type DPRArchitecture, type DPRConfig } from '../config.js';
import { ConfigError, InputError, WeightLoadError } from '../errors.js';
import { inferArchitecture, MODEL_CLASSES } from '../models/architectures.js';
import { openWeightSource, type SourceFormat, type SourceKind, type WeightSource } from '../models/load_weights.js';
import { encodeFloat16 } from './float16.js';
import { CONFIG_FILE, filesOf, SAFETENSORS_WEIGHTS, TOKENIZER_FILES } from './model_files.js';
import { bytesToFloat32, writeSafetensors, type SafetensorsDtype } from './safetensors.js';
import { describeKeyProblems, planKeys, type KeyPlan } from './weight_keys.js';

export type OutputDtype = 'float32' | 'float16';
export type { SourceFormat, SourceKind };

/** Tokenizer files HF saves next to a DPR model; those present are copied. */
const TOKENIZER_FILE_NAMES = filesOf(TOKENIZER_FILES);

export interface ConvertOptions {
  /** dtype of the written weights (default float32). float16 halves the file; loading widens to float32. */
  dtype?: OutputDtype;
  /** Which weights file to read: `auto` (default) prefers model.safetensors, then pytorch_model.bin. */
  from?: SourceKind;
  /** Replace model.safetensors / config.json / tokenizer files already in OUT_DIR (default false). */
  overwrite?: boolean;
}

export interface ConvertReport {
  /** The weights file read. */
  source: string;
  sourceFormat: SourceFormat;
  architecture: DPRArchitecture;
  dtype: OutputDtype;
  outDir: string;
  /** Tensors written to OUT_DIR/model.safetensors. */
  tensors: number;
  /** Size of the written model.safetensors in bytes. */
  bytesWritten: number;
  renamed: Array<{ from: string; to: string }>;
  /** Keys left out on purpose: position_ids buffers and pooler weights. */
  dropped: string[];
  /** Keys the architecture does not use: reported and left out. */
  unknown: string[];
  /** Non-weight files written to OUT_DIR (config.json and the tokenizer files found). */
  copiedFiles: string[];
  warnings: string[];
}

/** Source bytes of a floating dtype → little-endian bytes of the output dtype. */
function convertBytes(bytes: Uint8Array, from: SafetensorsDtype, to: OutputDtype, name: string, file: string): Uint8Array {
  if ((to === 'float32' && from === 'F32') || (to === 'float16' && from === 'F16')) return bytes;
  const values = bytesToFloat32(bytes, from, name, file);
  if (to === 'float32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return encodeFloat16(values);
}

/** Converts SRC_DIR into OUT_DIR; see the file header. Throws ConfigError / WeightLoadError / InputError. */
export async function convertCheckpoint(srcDir: string, outDir: string, options: ConvertOptions = {}): Promise<ConvertReport> {
  const dtype = options.dtype ?? 'float32';
  const from = options.from ?? 'auto';
  if (dtype !== 'float32' && dtype !== 'float16')
    throw new InputError(`dtype must be "float32" or "float16", got ${JSON.stringify(dtype)}.`);
  if (!['auto', 'safetensors', 'pytorch'].includes(from))
    throw new InputError(`from must be "auto", "safetensors" or "pytorch", got ${JSON.stringify(from)}.`);
  srcDir = resolve(srcDir);
  outDir = resolve(outDir);
  checkNotSource(srcDir, outDir);
  const config = loadConfig(srcDir);
  const configPath = join(srcDir, CONFIG_FILE);
  const rawConfig = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  const written = [CONFIG_FILE, SAFETENSORS_WEIGHTS, ...TOKENIZER_FILE_NAMES.filter((f) => existsSync(join(srcDir, f)))];
  checkOutDir(outDir, written, options.overwrite ?? false);

  const source = openWeightSource(srcDir, from);
  try {
    const warnings: string[] = [];
    const architecture = chooseArchitecture(config, configPath, source, rawConfig, warnings);
    const plan = checkKeys(source, config, configPath, architecture);
    if (plan.unknown.length > 0) {
      warnings.push(
        `${plan.unknown.length} key(s) that ${architecture} does not use were left out: ${plan.unknown.slice(0, 10).join(', ')}${plan.unknown.length > 10 ? ', …' : ''}`,
      );
    }

    const staging = `${outDir}.partial-${process.pid}-${Date.now().toString(36)}`;
    mkdirSync(dirname(outDir), { recursive: true });
    mkdirSync(staging);
    try {
      const outDtype: SafetensorsDtype = dtype === 'float16' ? 'F16' : 'F32';
      writeSafetensors(
        join(staging, SAFETENSORS_WEIGHTS),
        [...plan.sources].map(([name, src]) => {
          const info = source.tensors.get(src)!;
          return {
            name,
            dtype: outDtype,
            shape: info.shape,
            data: () => convertBytes(source.readBytes(src), info.dtype, dtype, src, source.path),
          };
        }),
        { format: 'pt', source: basename(source.path), source_format: source.format, dtype, converted_by: 'tfjs-dpr convert' },
      );
      // config.json as saved, with torch_dtype naming what the file now holds.
      rawConfig['torch_dtype'] = dtype;
      writeFileSync(join(staging, CONFIG_FILE), `${JSON.stringify(rawConfig, null, 2)}\n`);
      const copied = [CONFIG_FILE];
      for (const f of TOKENIZER_FILE_NAMES) {
        if (existsSync(join(srcDir, f))) {
          // Read and write rather than copyFileSync, which would also copy a read-only mode.
          writeFileSync(join(staging, f), readFileSync(join(srcDir, f)));
          copied.push(f);
        }
      }
      if (!copied.includes('vocab.txt') && !copied.includes('tokenizer.json')) {
        warnings.push(`${srcDir} has no vocab.txt or tokenizer.json; the converted directory has weights but no tokenizer`);
      }
      const bytesWritten = statSync(join(staging, SAFETENSORS_WEIGHTS)).size;
      source.close();
      publish(staging, outDir, [...copied, SAFETENSORS_WEIGHTS]);
      return {
        source: source.path,
        sourceFormat: source.format,
        architecture,
        dtype,
        outDir,
        tensors: plan.sources.size,
        bytesWritten,
        renamed: plan.renamed,
        dropped: plan.dropped,
        unknown: plan.unknown,
        copiedFiles: copied,
        warnings,
      };
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  } finally {
    source.close();
  }
}

/** The architecture config.json names, else the one the weight names tell (then written into the converted config). */
function chooseArchitecture(
  config: DPRConfig,
  configPath: string,
  source: WeightSource,
  rawConfig: Record<string, unknown>,
  warnings: string[],
): DPRArchitecture {
  const named = architectureOf(config);
  if (named !== undefined) return named;
  const inferred = inferArchitecture(source.tensors.keys());
  if (inferred === undefined) {
    throw new ConfigError(
      `${configPath}: "architectures" names none of DPRQuestionEncoder, DPRContextEncoder, DPRReader, and the keys of ${basename(source.path)} do not tell; add the right one to config.json.`,
    );
  }
  warnings.push(
    `config.json names no DPR architecture; ${inferred} was inferred from the weight names and written to the converted config.json`,
  );
  rawConfig['architectures'] = [inferred];
  return inferred;
}

/** Checks the file against the model class's weights (the check loading uses); throws naming every problem. */
function checkKeys(source: WeightSource, config: DPRConfig, configPath: string, architecture: DPRArchitecture): KeyPlan {
  const plan = planKeys(source.tensors, MODEL_CLASSES[architecture].weightSpecs(config));
  const problems = describeKeyProblems(plan, { limit: 20 });
  if (problems.length > 0) {
    const inferred = inferArchitecture(source.tensors.keys());
    const hint =
      inferred !== undefined && inferred !== architecture
        ? `\nThe weight names look like a ${inferred} checkpoint, but config.json says ${architecture}.`
        : '';
    throw new WeightLoadError(
      `${basename(source.path)} does not match ${configPath} (${architecture}):\n${problems.join('\n')}${hint}\n(file ${source.path})`,
    );
  }
  return plan;
}

/** Refuses an OUT_DIR that is a file, or that already holds files this conversion would replace. */
/** Conversion never writes into its source: the same path, or the same directory through a link. */
function checkNotSource(srcDir: string, outDir: string): void {
  let same = srcDir === outDir;
  if (!same && existsSync(outDir) && existsSync(srcDir)) {
    const [a, b] = [statSync(srcDir), statSync(outDir)];
    same = a.dev === b.dev && a.ino === b.ino;
  }
  if (same)
    throw new InputError(
      `\`outDir\` ${outDir} is the source directory \`srcDir\`; converting would overwrite the checkpoint it reads. Choose another \`outDir\`.`,
    );
}

function checkOutDir(outDir: string, files: string[], overwrite: boolean): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new InputError(`output ${outDir} exists and is not a directory.`);
  if (overwrite) return;
  const present = new Set(readdirSync(outDir));
  const clash = files.filter((f) => present.has(f));
  if (clash.length > 0) {
    throw new InputError(
      `output directory ${outDir} already holds ${clash.join(', ')}; choose another directory or pass overwrite (--force).`,
    );
  }
}

/** Moves the staged files into OUT_DIR: one rename of the directory when it is new, else file by file (weights last). */
function publish(staging: string, outDir: string, files: string[]): void {
  if (!existsSync(outDir)) {
    renameSync(staging, outDir);
    return;
  }
  for (const f of files) renameSync(join(staging, f), join(outDir, f));
}
