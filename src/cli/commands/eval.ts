/**
 * `dpr eval retrieval|reader|ask`: DPR's evaluation numbers from the command line. `retrieval`
 * encodes a QA file's questions, retrieves max(k) passages (dense or --hybrid) and prints top-k
 * accuracy as DPR defines it, or scores a saved results file (--retrieved) without searching;
 * `reader` and `ask` (eval_reader.ts) print the reader's exact match.
 */
import { InputError } from '../../errors.js';
import { ANSWER_MATCH_TYPES, type AnswerMatch } from '../../eval/answer_match.js';
import { evaluateRetrieval, type Retriever } from '../../eval/evaluate_retrieval.js';
import { readQaFile } from '../../eval/node_files.js';
import { parseRetrievedText, rankedFromRetrieved } from '../../eval/retrieved_file.js';
import { topKAccuracy, type TopKAccuracyResult } from '../../eval/top_k_accuracy.js';
import { DEFAULT_QUESTION_BATCH_SIZE } from '../../retrieval/defaults.js';
import { loadEncoder } from '../../retrieval/encoders.js';
import { searchQuestionsHybrid } from '../../retrieval/hybrid_search.js';
import { DenseIndex } from '../../retrieval/index_format.js';
import { checkEncoderFitsIndex, searchQuestions } from '../../retrieval/question_search.js';
import { type CommandSpec, type ParsedArgs, flag, num, parseArgsOrHelp, str } from '../args.js';
import { HYBRID_OPTIONS, hybridFromArgs, loadBm25ForHybrid } from '../hybrid_flags.js';
import type { FlagNames } from '../option_flags.js';
import { hubProgressReporter, ProgressBar } from '../progress.js';
import { readTextFile } from '../read_text_file.js';
import { runEvalAsk, runEvalReader } from '../eval_reader.js';

export const FLAGS: FlagNames = { model: '--model', ks: '-k', match: '--match' };

export const RETRIEVAL_SPEC: CommandSpec = {
  name: 'dpr eval retrieval',
  summary: 'Top-k retrieval accuracy as DPR reports it: the share of questions with an answer in the first k passages.',
  usage:
    '--model QUESTION_DIR --index INDEX_DIR --qa FILE [-k 1,5,20,100] [--match string|regex] [--hybrid] [--json]\n' +
    '       dpr eval retrieval --retrieved RESULTS [--qa FILE] [-k …] [--match …] [--json]',
  options: {
    model: { type: 'string', value: 'DIR|HUB_ID', description: 'a DPR question encoder paired with the index' },
    index: { type: 'string', value: 'DIR', description: 'an index built by `dpr index build`' },
    qa: {
      type: 'string',
      value: 'FILE',
      description: 'questions and answers: DPR\'s question<TAB>[\'answer\', …] CSV, or {"question","answers"} JSONL',
    },
    k: {
      type: 'string',
      short: 'k',
      default: '1,5,20,100',
      value: 'K,…',
      description: 'the k to report, comma-separated; max(k) passages are retrieved',
    },
    match: {
      type: 'string',
      choices: ANSWER_MATCH_TYPES,
      default: 'string',
      description: "DPR's answer matching: string (token runs) or regex (answers are patterns)",
    },
    retrieved: {
      type: 'string',
      value: 'FILE',
      description:
        "score saved results (their first max(k) passages) instead of searching: `dpr search --json` output (with --qa) or DPR's result JSON",
    },
    json: {
      type: 'boolean',
      description: 'print {"questions", "top_k_accuracy": {"1": …}, "first_hit_rank": {"<id or index>": rank or null}}',
    },
    'batch-size': {
      type: 'integer',
      min: 1,
      default: DEFAULT_QUESTION_BATCH_SIZE,
      value: 'N',
      description: 'questions encoded and searched together',
    },
    ...HYBRID_OPTIONS,
  },
  epilog:
    'examples:\n  dpr eval retrieval --model ./question_encoder --index ./sample_index --qa data/sample_qa.csv -k 1,5,20\n' +
    '  dpr search --model Q --index I --input questions.jsonl -k 100 --json > run.jsonl && dpr eval retrieval --qa qa.csv --retrieved run.jsonl',
};

const USAGE = [
  'usage: dpr eval <subcommand> [options]',
  '',
  'subcommands:',
  "  retrieval  top-k retrieval accuracy (DPR's Table 2 numbers) of an index, or of saved results",
  "  reader     exact match of a reader's best answer over saved retrieval results",
  '  ask        exact match of search + read over a QA file',
  '',
  'Run `dpr eval <subcommand> --help` for its options.',
].join('\n');

/** `-k 1,5,20,100` → [1, 5, 20, 100]; anything but positive whole numbers is refused by flag. */
export function parseKList(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  for (const p of parts) {
    if (!/^\d+$/.test(p) || Number(p) <= 0) {
      throw new InputError(`-k takes positive whole numbers separated by commas (e.g. 1,5,20,100); got "${p}" in "${text}".`);
    }
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

function printAccuracy(result: TopKAccuracyResult, json: boolean): void {
  if (json) {
    const { questions, top_k_accuracy, first_hit_rank } = result;
    process.stdout.write(JSON.stringify({ questions, top_k_accuracy, first_hit_rank }) + '\n');
    return;
  }
  const lines = [`questions: ${result.questions}`, '  k       accuracy   hits'];
  for (const [k, accuracy] of Object.entries(result.top_k_accuracy)) {
    const hits = Math.round(accuracy * result.questions);
    lines.push(`  ${`top-${k}`.padEnd(8)}${(accuracy * 100).toFixed(2).padStart(6)} %   ${hits}/${result.questions}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function scoreSavedResults(args: ParsedArgs, ks: number[], match: AnswerMatch): Promise<TopKAccuracyResult> {
  for (const name of ['model', 'index', 'hybrid']) {
    if (args.options[name] !== undefined && args.options[name] !== false)
      throw new InputError(`--retrieved scores saved results; --${name} does not apply.`);
  }
  const path = str(args, 'retrieved')!;
  const retrieved = parseRetrievedText(await readTextFile(path, 'results file'), path);
  const qaPath = str(args, 'qa');
  const qa = qaPath === undefined ? undefined : await readQaFile(qaPath);
  // As when searching, only the first max(k) passages count (a results file may hold more).
  const maxK = ks[ks.length - 1]!;
  const ranked = rankedFromRetrieved(retrieved, qa).map((r) => ({ ...r, passages: r.passages.slice(0, maxK) }));
  return topKAccuracy(ranked, { ks, match });
}

async function searchAndScore(args: ParsedArgs, ks: number[], match: AnswerMatch): Promise<TopKAccuracyResult> {
  const missing = ['model', 'index', 'qa'].filter((name) => str(args, name) === undefined);
  if (missing.length > 0)
    throw new InputError(`missing ${missing.map((m) => `--${m}`).join(', ')} (or give --retrieved FILE to score saved results).`);
  const qa = await readQaFile(str(args, 'qa')!); // checked before any model loads: bad input evaluates nothing
  const hybrid = hybridFromArgs(args);
  const indexDir = str(args, 'index')!;
  const bm25 = hybrid ? await loadBm25ForHybrid(indexDir) : undefined;
  const index = await DenseIndex.open(indexDir);
  try {
    const encoder = await loadEncoder(str(args, 'model')!, ['DPRQuestionEncoder'], { workers: 1, onProgress: hubProgressReporter() });
    try {
      checkEncoderFitsIndex(encoder, index);
      const batchSize = num(args, 'batch-size')!;
      const retrieve: Retriever = async (questions, k) => {
        const batch = questions.map((text, i) => ({ id: i, text }));
        const lists =
          bm25 && hybrid
            ? await searchQuestionsHybrid(encoder, index, bm25, batch, k, batchSize, hybrid)
            : await searchQuestions(encoder, index, batch, k, batchSize);
        return lists.map((hits) => hits.map((h) => ({ id: String(h.id), title: h.title, text: h.text, score: h.score })));
      };
      const bar = new ProgressBar({ label: 'evaluating', total: qa.length, unit: 'questions' });
      const result = await evaluateRetrieval(qa, retrieve, {
        ks,
        match,
        batchSize,
        onProgress: (e) => e.stage === 'retrieve' && bar.update(e.done),
      });
      bar.finish(qa.length);
      return result;
    } finally {
      await encoder.dispose();
    }
  } finally {
    await index.close();
  }
}

async function runRetrieval(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(RETRIEVAL_SPEC, argv);
  if (args === undefined) return 0;
  const ks = parseKList(str(args, 'k')!);
  const match = str(args, 'match') as AnswerMatch;
  const result = str(args, 'retrieved') !== undefined ? await scoreSavedResults(args, ks, match) : await searchAndScore(args, ks, match);
  printAccuracy(result, flag(args, 'json'));
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'retrieval') return runRetrieval(rest);
  if (sub === 'reader') return runEvalReader(rest);
  if (sub === 'ask') return runEvalAsk(rest);
  throw new InputError(`unknown subcommand "${sub}"; choose retrieval, reader or ask (see \`dpr eval --help\`).`);
}
