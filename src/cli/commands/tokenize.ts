/**
 * `dpr tokenize --model DIR --input FILE.jsonl` (or `--input -` for stdin).
 *
 * Each input line is `{"id", "text", "text_pair"?}`; each output line is
 * `{"id", "input_ids", "token_type_ids", "tokens", "offsets"}` with the directory's tokenizer and
 * its defaults: special tokens added, truncation to model_max_length, no padding. `tokens` are the
 * strings of `input_ids` (special tokens included); `offsets` are UTF-16 [start, end) ranges of the
 * text (or text_pair) each token came from, [0, 0] for special tokens.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { InputError } from '../../errors.js';
import { BertTokenizer } from '../../tokenizers/index.js';

const USAGE = `usage: dpr tokenize --model DIR --input FILE.jsonl|-

Tokenizes JSON lines {"id", "text", "text_pair"?} with the tokenizer in DIR (vocab.txt +
tokenizer_config.json, or tokenizer.json) and prints one JSON line per input:
{"id", "input_ids", "token_type_ids", "tokens", "offsets"}. Texts are truncated to the
tokenizer's model_max_length (512 for DPR). Offsets are UTF-16 [start, end) in the text.`;

interface Args {
  model: string;
  input: string;
}

function parseArgs(argv: string[]): Args | null {
  let model: string | undefined;
  let input: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return null;
    const eq = arg.indexOf('=');
    const [flag, inline] = arg.startsWith('--') && eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (flag !== '--model' && flag !== '--input') {
      throw new InputError(`unknown option "${arg}"; expected --model DIR and --input FILE.jsonl (or - for stdin).`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new InputError(`${flag} needs a value; e.g. ${flag === '--model' ? '--model ./dpr-question_encoder' : '--input questions.jsonl'}.`);
    if (flag === '--model') model = value;
    else input = value;
  }
  if (model === undefined) throw new InputError('missing --model DIR (a tokenizer directory with vocab.txt or tokenizer.json).');
  if (input === undefined) throw new InputError('missing --input FILE.jsonl (use --input - to read standard input).');
  return { model, input };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args === null) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const tokenizer = await BertTokenizer.fromPretrained(args.model);
  if (args.input !== '-') {
    const info = await stat(args.input).catch(() => null);
    if (info === null || !info.isFile()) {
      throw new InputError(`input file ${args.input} does not exist or is not a file; pass a JSONL file, or - for stdin.`);
    }
  }
  const stream = args.input === '-' ? process.stdin : createReadStream(args.input);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const source = args.input === '-' ? 'stdin' : args.input;
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      throw new InputError(`${source} line ${lineNo}: not valid JSON (${(e as Error).message}); each line must be {"id", "text", "text_pair"?}.`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new InputError(`${source} line ${lineNo}: expected a JSON object {"id", "text", "text_pair"?}, found ${Array.isArray(record) ? 'an array' : JSON.stringify(record)}.`);
    }
    const { id, text, text_pair: textPair } = record as { id?: unknown; text?: unknown; text_pair?: unknown };
    if (id === undefined) throw new InputError(`${source} line ${lineNo}: missing "id"; each line needs an id to match outputs to inputs.`);
    if (typeof text !== 'string') throw new InputError(`${source} line ${lineNo}: "text" must be a string, found ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
    if (textPair !== undefined && textPair !== null && typeof textPair !== 'string') {
      throw new InputError(`${source} line ${lineNo}: "text_pair" must be a string when present, found ${JSON.stringify(textPair)}.`);
    }
    const enc = tokenizer.encode(text, (textPair as string | null | undefined) ?? null, { truncation: true, return_offsets_mapping: true });
    const out = {
      id,
      input_ids: enc.input_ids,
      token_type_ids: enc.token_type_ids,
      tokens: tokenizer.convertIdsToTokens(enc.input_ids),
      offsets: enc.offset_mapping,
    };
    if (!process.stdout.write(JSON.stringify(out) + '\n')) await once(process.stdout, 'drain');
  }
  return 0;
}
