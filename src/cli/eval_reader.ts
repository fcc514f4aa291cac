/**
 * `dpr eval reader` (read saved retrieval results) and `dpr eval ask` (search, then read), run by commands/eval.ts: the
 * exact match of the reader's best span, as DPR's train_extractive_reader.py reports it (the top
 * span over the first N passages, max answer length 10 tokens, compared with every gold answer).
 */
import { InputError } from '../errors.js';
import { readQaFile } from '../eval/node_files.js';
import { readerExactMatch, type ReaderEvalResult, type ReaderPrediction } from '../eval/reader_eval.js';
import { parseRetrievedText, rankedFromRetrieved } from '../eval/retrieved_file.js';
import { DEFAULT_QUESTION_BATCH_SIZE } from '../retrieval/defaults.js';
import { loadEncoder } from '../retrieval/encoders.js';
import { searchQuestionsHybrid } from '../retrieval/hybrid_search.js';
import { DenseIndex } from '../retrieval/index_format.js';
import { checkEncoderFitsIndex, searchQuestions } from '../retrieval/question_search.js';
import { loadReader, readSpans, type LoadedReader, type ReadPassage } from '../retrieval/read.js';
import { type CommandSpec, type OptionSpec, flag, num, parseArgsOrHelp, str } from './args.js';
import { HYBRID_OPTIONS, hybridFromArgs, loadBm25ForHybrid } from './hybrid_flags.js';
import { hubProgressReporter, ProgressBar } from './progress.js';
import { readTextFile } from './read_text_file.js';

/** DPR's reader evaluation settings (passages_per_question_predict, max_answer_length). */
const DPR_READ_PASSAGES = 50;
const DPR_MAX_ANSWER_LENGTH = 10;

const READ_OPTIONS: Record<string, OptionSpec> = {
  passages: { type: 'integer', min: 1, default: DPR_READ_PASSAGES, value: 'N', description: 'top passages the reader reads per question' },
  'max-answer-length': { type: 'integer', min: 1, default: DPR_MAX_ANSWER_LENGTH, value: 'L', description: 'longest answer, in tokens' },
  json: {
    type: 'boolean',
    description: 'print {"questions", "exact_match", "per_question": {"<id or index>": {prediction, exact_match}}}',
  },
};

export const READER_SPEC: CommandSpec = {
  name: 'dpr eval reader',
  summary: "Exact match of a DPR reader's best answer in saved retrieval results, as DPR reports it.",
  usage: '--model READER_DIR --retrieved RESULTS [--qa FILE] [--passages 50] [--json]',
  options: {
    model: { type: 'string', required: true, value: 'DIR|HUB_ID', description: 'a DPR reader (DPRReader)' },
    retrieved: {
      type: 'string',
      required: true,
      value: 'FILE',
      description: "`dpr search --json` output (with --qa) or DPR's result JSON (answers included)",
    },
    qa: { type: 'string', value: 'FILE', description: 'the questions and answers the results were searched for (DPR CSV or JSONL)' },
    ...READ_OPTIONS,
  },
};

export const ASK_SPEC: CommandSpec = {
  name: 'dpr eval ask',
  summary: 'Exact match of search + read (`dpr ask`) over a QA file.',
  usage: '--question-model Q --reader-model R --index INDEX_DIR --qa FILE [--passages 50] [--hybrid] [--json]',
  options: {
    'question-model': { type: 'string', required: true, value: 'DIR|HUB_ID', description: 'a DPR question encoder paired with the index' },
    'reader-model': { type: 'string', required: true, value: 'DIR|HUB_ID', description: 'a DPR reader' },
    index: { type: 'string', required: true, value: 'DIR', description: 'an index built by `dpr index build`' },
    qa: { type: 'string', required: true, value: 'FILE', description: 'questions and answers (DPR CSV or JSONL)' },
    'batch-size': {
      type: 'integer',
      min: 1,
      default: DEFAULT_QUESTION_BATCH_SIZE,
      value: 'N',
      description: 'questions encoded and searched together',
    },
    ...READ_OPTIONS,
    ...HYBRID_OPTIONS,
  },
};

interface ToRead {
  question: string;
  answers: readonly string[];
  passages: ReadPassage[];
  key?: string;
}

async function readAll(loaded: LoadedReader, items: ToRead[], maxAnswerLength: number): Promise<ReaderEvalResult> {
  const bar = new ProgressBar({ label: 'reading', total: items.length, unit: 'questions' });
  const predictions: ReaderPrediction[] = [];
  for (const item of items) {
    const spans =
      item.passages.length === 0
        ? []
        : await readSpans(loaded.reader, loaded.tokenizer, item.question, item.passages, {
            num_spans: 1,
            max_answer_length: maxAnswerLength,
            num_spans_per_passage: 1,
          });
    const prediction: ReaderPrediction = { answers: item.answers, prediction: spans[0]?.text ?? null };
    if (item.key !== undefined) prediction.key = item.key;
    predictions.push(prediction);
    bar.update(predictions.length);
  }
  bar.finish(predictions.length);
  return readerExactMatch(predictions);
}

function printExactMatch(result: ReaderEvalResult, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const hits = Object.values(result.per_question).filter((q) => q.exact_match).length;
  process.stdout.write(
    `questions: ${result.questions}\nexact match: ${(result.exact_match * 100).toFixed(2)} %   ${hits}/${result.questions}\n`,
  );
}

export async function runEvalReader(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(READER_SPEC, argv);
  if (args === undefined) return 0;
  const path = str(args, 'retrieved')!;
  const retrieved = parseRetrievedText(await readTextFile(path, 'results file'), path);
  const qaPath = str(args, 'qa');
  const ranked = rankedFromRetrieved(retrieved, qaPath === undefined ? undefined : await readQaFile(qaPath));
  const n = num(args, 'passages')!;
  const items: ToRead[] = ranked.map((r, i) => ({
    question: retrieved[i]!.question,
    answers: r.answers,
    passages: retrieved[i]!.passages.slice(0, n),
    ...(r.key !== undefined ? { key: r.key } : {}),
  }));
  const loaded = await loadReader(str(args, 'model')!, { onProgress: hubProgressReporter() });
  try {
    printExactMatch(await readAll(loaded, items, num(args, 'max-answer-length')!), flag(args, 'json'));
  } finally {
    loaded.reader.dispose();
  }
  return 0;
}

export async function runEvalAsk(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(ASK_SPEC, argv);
  if (args === undefined) return 0;
  const qa = await readQaFile(str(args, 'qa')!);
  const hybrid = hybridFromArgs(args);
  const indexDir = str(args, 'index')!;
  const bm25 = hybrid ? await loadBm25ForHybrid(indexDir) : undefined;
  const n = num(args, 'passages')!;
  const index = await DenseIndex.open(indexDir);
  try {
    const encoder = await loadEncoder(str(args, 'question-model')!, ['DPRQuestionEncoder'], {
      workers: 1,
      onProgress: hubProgressReporter(),
    });
    let lists;
    try {
      checkEncoderFitsIndex(encoder, index);
      const questions = qa.map((s, i) => ({ id: i, text: s.question }));
      const batchSize = num(args, 'batch-size')!;
      lists =
        bm25 && hybrid
          ? await searchQuestionsHybrid(encoder, index, bm25, questions, n, batchSize, hybrid)
          : await searchQuestions(encoder, index, questions, n, batchSize);
    } finally {
      await encoder.dispose();
    }
    if (lists.length !== qa.length) throw new InputError('search returned a different number of result lists than questions.');
    const items: ToRead[] = qa.map((s, i) => ({
      question: s.question,
      answers: s.answers,
      passages: lists[i]!,
      ...(s.id !== undefined ? { key: s.id } : {}),
    }));
    const loaded = await loadReader(str(args, 'reader-model')!, { onProgress: hubProgressReporter() });
    try {
      printExactMatch(await readAll(loaded, items, num(args, 'max-answer-length')!), flag(args, 'json'));
    } finally {
      loaded.reader.dispose();
    }
  } finally {
    await index.close();
  }
  return 0;
}
