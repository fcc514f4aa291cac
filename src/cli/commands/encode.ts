/**
 * `dpr encode --model DIR --input FILE.jsonl --output FILE.jsonl`: one vector per input line.
 * A question encoder encodes `text`; a context encoder encodes `(title, text)` as a pair when a
 * non-empty title is given, else `text`. Streams: only one chunk of records is in memory.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_ENCODE_CHUNK } from '../../retrieval/defaults.js';
import { embedStream } from '../../retrieval/encode_pipeline.js';
import { loadEncoder } from '../../retrieval/encoders.js';
import { type CommandSpec, num, parseArgsOrHelp, str } from '../args.js';
import { displayName, readJsonl, toTextRecord, type TextRecord } from '../jsonl.js';
import type { FlagNames } from '../option_flags.js';
import { checkOutputPath, OutputFile } from '../output_file.js';
import { hubProgressReporter } from '../progress.js';
import { workersOption } from '../workers.js';

export const FLAGS: FlagNames = { model: '--model' };

export const SPEC: CommandSpec = {
  name: 'dpr encode',
  summary: 'Encode texts with a DPR question or context encoder; writes one {"id", "vector"} line per input line.',
  usage: '--model DIR --input FILE.jsonl --output FILE.jsonl [options]',
  options: {
    model: {
      type: 'string',
      required: true,
      value: 'DIR',
      description: 'a DPR question or context encoder (the kind is read from config.json)',
    },
    input: { type: 'string', required: true, value: 'FILE', description: 'JSONL, one {"id", "text", "title"?} per line; - reads stdin' },
    output: {
      type: 'string',
      required: true,
      value: 'FILE',
      description: 'JSONL to write, one {"id", "vector"} per line; - writes stdout',
    },
    'batch-size': { type: 'integer', min: 1, default: DEFAULT_BATCH_SIZE, value: 'N', description: 'texts per model call' },
    workers: {
      type: 'integer',
      min: 1,
      value: 'N',
      description: 'encoder worker threads, one model copy each (default: number of cores; 1 runs in this thread)',
    },
  },
  epilog: 'example:\n  dpr encode --model ./context_encoder --input data/sample_corpus.jsonl --output vectors.jsonl',
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  const input = str(args, 'input')!;
  const output = str(args, 'output')!;
  // Everything that can be known before loading a model is checked first, and the output is
  // opened before the encoder exists: a bad --output costs nothing and leaves no worker running.
  if (output !== '-') checkOutputPath(output, '--output', [{ path: input, flag: '--input' }]);
  const workers = workersOption(args, 'dpr encode');
  const out = OutputFile.open(output);
  let count = 0;
  let summary: string | undefined;
  try {
    const encoder = await loadEncoder(str(args, 'model')!, ['DPRQuestionEncoder', 'DPRContextEncoder'], {
      ...workers,
      onProgress: hubProgressReporter(),
    });
    try {
      async function* records(): AsyncGenerator<TextRecord> {
        for await (const record of readJsonl(input)) yield toTextRecord(record, input, true);
      }
      const stream = embedStream(records(), {
        embedder: encoder.embedder,
        tokenize: (r) => encoder.tokenize(r.text, r.title),
        chunkSize: DEFAULT_ENCODE_CHUNK,
        batchSize: num(args, 'batch-size')!,
      });
      for await (const chunk of stream) {
        out.write(chunk.items.map((r, i) => JSON.stringify({ id: r.id, vector: finiteVector(chunk.vectors[i]!, r.id) })).join('\n') + '\n');
        count += chunk.items.length;
      }
      summary = `encoded ${count} texts with ${encoder.architecture} (dim ${encoder.embedder.dim}) into ${output}`;
    } finally {
      await encoder.dispose();
    }
    if (count === 0) throw new InputError(`${displayName(input)} holds no records; expected one {"id", "text"} JSON object per line.`);
    out.commit();
  } finally {
    out.abort();
  }
  if (output !== '-' && summary !== undefined) process.stderr.write(`${summary}\n`);
  return 0;
}

/** The vector as numbers; a NaN or infinity (which JSON would write as null) is refused. */
function finiteVector(vector: Float32Array, id: string | number): number[] {
  const values = Array.from(vector);
  if (!values.every(Number.isFinite)) {
    throw new InputError(
      `the encoder produced a non-finite value (NaN or infinity) for id ${JSON.stringify(id)}; check the model's weights (\`model\`).`,
    );
  }
  return values;
}
