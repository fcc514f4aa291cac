/**
 * `dpr read --model READER_DIR --question "…" --passages FILE.jsonl`: the DPR reader's best answer
 * spans in the given passages (HF `DPRReaderTokenizer(...)` + `DPRReader` + `decode_best_spans`).
 */
import { InputError } from '../../errors.js';
import { loadReader, readSpans } from '../../retrieval/read.js';
import type { DPRSpanPrediction } from '../../tokenizers/index.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from '../args.js';
import { cleanAnswerText, READER_DAMAGED_FIX, requireFiniteScores } from '../finite.js';
import { readTextRecords, type TextRecord } from '../jsonl.js';
import type { FlagNames } from '../option_flags.js';
import { hubProgressReporter } from '../progress.js';

export const FLAGS: FlagNames = { model: '--model' };

export const SPEC: CommandSpec = {
  name: 'dpr read',
  summary:
    "Find answer spans to a question in passages with a DPR reader (human output shows answers without [SEP]; --json keeps HF's span text).",
  usage: '--model READER_DIR --question "…" --passages FILE.jsonl [options]',
  options: {
    model: { type: 'string', required: true, value: 'DIR', description: 'a DPR reader (DPRReader)' },
    question: { type: 'string', required: true, value: 'TEXT', description: 'the question' },
    passages: { type: 'string', required: true, value: 'FILE', description: 'JSONL, one {"id", "title"?, "text"} per line; - reads stdin' },
    'num-spans': { type: 'integer', min: 1, default: 16, value: 'N', description: 'spans to return in all' },
    'max-answer-length': { type: 'integer', min: 1, default: 64, value: 'L', description: 'longest span, in tokens' },
    'num-spans-per-passage': { type: 'integer', min: 1, default: 4, value: 'K', description: 'spans taken from one passage' },
    json: { type: 'boolean', description: 'print a JSON array of {span_score, relevance_score, doc_id, start_index, end_index, text}' },
  },
  epilog: "doc_id is the passage's 0-based line position among the passages (as in HF decode_best_spans).",
};

function printSpansHuman(spans: DPRSpanPrediction[], passages: ReadonlyArray<{ id: string | number; title?: string }>): void {
  const lines = spans.map((s, r) => {
    const p = passages[s.doc_id];
    const where = p === undefined ? `passage ${s.doc_id}` : `${String(p.id)}${p.title ? ` (${p.title})` : ''}`;
    return `${String(r + 1).padStart(3)}  ${cleanAnswerText(s.text)}\n     span ${s.span_score.toFixed(4)}  relevance ${s.relevance_score.toFixed(4)}  from ${where}`;
  });
  process.stdout.write((lines.length > 0 ? lines.join('\n') : 'no answer spans found') + '\n');
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  const question = str(args, 'question')!;
  if (question.trim() === '') throw new InputError('--question is empty; give the question to answer.');
  const passages: TextRecord[] = await readTextRecords(str(args, 'passages')!, true);
  const { reader, tokenizer } = await loadReader(str(args, 'model')!, { onProgress: hubProgressReporter() });
  try {
    const spans = await readSpans(reader, tokenizer, question, passages, {
      num_spans: num(args, 'num-spans')!,
      max_answer_length: num(args, 'max-answer-length')!,
      num_spans_per_passage: num(args, 'num-spans-per-passage')!,
    });
    spans.forEach((s) =>
      requireFiniteScores({ span_score: s.span_score, relevance_score: s.relevance_score }, `the answer "${s.text}"`, READER_DAMAGED_FIX),
    );
    if (flag(args, 'json')) process.stdout.write(JSON.stringify(spans) + '\n');
    else printSpansHuman(spans, passages);
  } finally {
    reader.dispose();
  }
  return 0;
}
