/**
 * `dpr tokenize --model DIR --input FILE.jsonl` (or `--input -` for stdin).
 *
 * Each input line is `{"id", "text", "text_pair"?}`; each output line is
 * `{"id", "input_ids", "token_type_ids", "tokens", "offsets"}` with the directory's tokenizer and
 * its defaults: special tokens added, truncation to model_max_length, no padding. `tokens` are the
 * strings of `input_ids` (special tokens included); `offsets` are UTF-16 [start, end) ranges of the
 * text (or text_pair) each token came from, [0, 0] for special tokens.
 */
import { once } from 'node:events';
import { InputError } from '../../errors.js';
import { BertTokenizer } from '../../tokenizers/index.js';
import { type CommandSpec, parseArgsOrHelp, str } from '../args.js';
import { displayName, readJsonl } from '../jsonl.js';

export const SPEC: CommandSpec = {
  name: 'dpr tokenize',
  summary:
    'Tokenize JSON lines {"id", "text", "text_pair"?} with a tokenizer directory (vocab.txt + tokenizer_config.json, or tokenizer.json) ' +
    'or hub id; print {"id", "input_ids", "token_type_ids", "tokens", "offsets"} per line. Texts are truncated to the ' +
    "tokenizer's model_max_length (512 for DPR); offsets are UTF-16 [start, end) in the text.",
  usage: '--model DIR --input FILE.jsonl|-',
  options: {
    model: { type: 'string', required: true, value: 'DIR|HUB_ID', description: 'the tokenizer (any DPR/BERT model directory)' },
    input: { type: 'string', required: true, value: 'FILE', description: 'JSONL input; - reads stdin' },
  },
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  const input = str(args, 'input')!;
  const tokenizer = await BertTokenizer.fromPretrained(str(args, 'model')!);
  let count = 0;
  for await (const record of readJsonl(input)) {
    count++;
    const where = `${displayName(input)}:${record.line}`;
    const { id, text, text_pair: textPair } = record.value;
    if (id === undefined) throw new InputError(`${where}: missing "id"; each line needs an id to match outputs to inputs.`);
    if (typeof text !== 'string')
      throw new InputError(`${where}: "text" must be a string, got ${text === undefined ? 'nothing' : JSON.stringify(text)}.`);
    if (textPair !== undefined && textPair !== null && typeof textPair !== 'string') {
      throw new InputError(`${where}: "text_pair" must be a string when present, got ${JSON.stringify(textPair)}.`);
    }
    const enc = tokenizer.encode(text, textPair ?? null, { truncation: true, return_offsets_mapping: true });
    const out = {
      id,
      input_ids: enc.input_ids,
      token_type_ids: enc.token_type_ids,
      tokens: tokenizer.convertIdsToTokens(enc.input_ids),
      offsets: enc.offset_mapping,
    };
    if (!process.stdout.write(JSON.stringify(out) + '\n')) await once(process.stdout, 'drain');
  }
  if (count === 0) throw new InputError(`${displayName(input)} holds no records; expected one {"id", "text"} JSON object per line.`);
  return 0;
}
