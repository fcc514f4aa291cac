/**
 * `dpr ask --question-model Q --reader-model R --index INDEX_DIR "question"`: retrieve the top
 * passages for a question from a dense index, read them with the DPR reader, print the answer
 * and the passage it came from. Without model arguments it uses the facebook/dpr-*-single-nq-base
 * models from the HuggingFace hub; without --index, the bundled sample corpus, embedded with
 * --context-model on first use and cached.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_CONTEXT_ENCODER, DEFAULT_QUESTION_ENCODER, DEFAULT_READER } from '../../hub/defaults.js';
import { sampleCorpusPath } from '../../package_root.js';
import { planCachedIndex } from '../../retrieval/default_index.js';
import { DEFAULT_ASK_OPTIONS, DEFAULT_QUESTION_BATCH_SIZE } from '../../retrieval/defaults.js';
import { loadEncoder } from '../../retrieval/encoders.js';
import { DenseIndex } from '../../retrieval/index_format.js';
import { buildBm25ForIndex, hasBm25Index, saveBm25Index } from '../../retrieval/bm25_files.js';
import { searchQuestionsHybrid } from '../../retrieval/hybrid_search.js';
import { checkEncoderFitsIndex, searchQuestions } from '../../retrieval/question_search.js';
import { loadReader, readSpans } from '../../retrieval/read.js';
import { type CommandSpec, flag, num, parseArgsOrHelp, str } from '../args.js';
import { indexFile } from '../index_from_file.js';
import type { FlagNames } from '../option_flags.js';
import { HYBRID_OPTIONS, hybridFromArgs, loadBm25ForHybrid } from '../hybrid_flags.js';
import { hubProgressReporter } from '../progress.js';
import { snippet } from '../snippet.js';
import { cleanAnswerText, INDEX_DAMAGED_FIX, READER_DAMAGED_FIX, requireFiniteScores } from '../finite.js';
import { workersOption } from '../workers.js';

// `model` is the context encoder that indexes the sample corpus on first use.
export const FLAGS: FlagNames = {
  questionModel: '--question-model',
  readerModel: '--reader-model',
  contextModel: '--context-model',
  model: '--context-model',
};

export const SPEC: CommandSpec = {
  name: 'dpr ask',
  summary: 'Answer questions: search an index for passages, then read the best of them with a DPR reader.',
  usage: '[--question-model Q] [--reader-model R] [--index INDEX_DIR | --context-model C] [options] "question" …',
  positionals: { name: 'question …', description: 'the questions to answer' },
  options: {
    'question-model': {
      type: 'string',
      default: DEFAULT_QUESTION_ENCODER,
      value: 'DIR|HUB_ID',
      description: 'a DPR question encoder paired with the index',
    },
    'reader-model': { type: 'string', default: DEFAULT_READER, value: 'DIR|HUB_ID', description: 'a DPR reader' },
    index: {
      type: 'string',
      value: 'DIR',
      description: 'an index built by `dpr index build` (default: the bundled sample corpus, built on first use and cached)',
    },
    'context-model': {
      type: 'string',
      value: 'DIR|HUB_ID',
      description: `the context encoder that embeds the sample corpus when no --index is given [default ${DEFAULT_CONTEXT_ENCODER}]`,
    },
    workers: {
      type: 'integer',
      min: 1,
      value: 'N',
      description: 'encoder worker threads for a first-use index build (default: number of cores)',
    },
    k: {
      type: 'integer',
      short: 'k',
      min: 1,
      default: DEFAULT_ASK_OPTIONS.k,
      value: 'N',
      description: 'retrieved passages the reader reads',
    },
    'num-spans': { type: 'integer', min: 1, default: DEFAULT_ASK_OPTIONS.num_spans, value: 'N', description: 'answers to show' },
    'max-answer-length': {
      type: 'integer',
      min: 1,
      default: DEFAULT_ASK_OPTIONS.max_answer_length,
      value: 'L',
      description: 'longest answer, in tokens',
    },
    'num-spans-per-passage': {
      type: 'integer',
      min: 1,
      default: DEFAULT_ASK_OPTIONS.num_spans_per_passage,
      value: 'K',
      description: 'answers taken from one passage',
    },
    json: {
      type: 'boolean',
      description:
        'print one JSON line per question: {"question", "answers": [{text, span_score, relevance_score, passage: {id, title, text, score}}]}',
    },
    ...HYBRID_OPTIONS,
  },
  epilog:
    'examples:\n  dpr ask "who discovered penicillin?"\n' +
    '  dpr ask --question-model ./question_encoder --reader-model ./reader --index ./sample_index "who discovered penicillin?"',
};

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  const questions = args.positionals;
  if (questions.length === 0)
    throw new InputError('no question given; pass the question as an argument, e.g. dpr ask … "who discovered penicillin?"');
  if (questions.some((q) => q.trim() === '')) throw new InputError('a question is empty; give the text of the question.');
  const json = flag(args, 'json');
  const k = num(args, 'k')!;
  const hybrid = hybridFromArgs(args);
  if (str(args, 'index') !== undefined && str(args, 'context-model') !== undefined) {
    throw new InputError(
      '--context-model embeds the bundled sample corpus and is not used with --index (an index holds vectors already); drop one of them.',
    );
  }
  const indexDir =
    str(args, 'index') ??
    (await sampleIndex(str(args, 'context-model') ?? DEFAULT_CONTEXT_ENCODER, workersOption(args, 'dpr ask'), hybrid !== undefined));
  const bm25 = hybrid ? await loadBm25ForHybrid(indexDir) : undefined;
  const index = await DenseIndex.open(indexDir);
  try {
    // One in-process question encoder, as in `dpr search`: questions are few and short.
    const onProgress = hubProgressReporter();
    const encoder = await loadEncoder(str(args, 'question-model')!, ['DPRQuestionEncoder'], {
      option: 'questionModel',
      workers: 1,
      onProgress,
    });
    try {
      checkEncoderFitsIndex(encoder, index);
      const { reader, tokenizer } = await loadReader(str(args, 'reader-model')!, { option: 'readerModel', onProgress });
      try {
        const questionList = questions.map((text, i) => ({ id: i + 1, text }));
        const retrieved =
          bm25 && hybrid
            ? await searchQuestionsHybrid(encoder, index, bm25, questionList, k, DEFAULT_QUESTION_BATCH_SIZE, hybrid)
            : await searchQuestions(encoder, index, questionList, k, DEFAULT_QUESTION_BATCH_SIZE);
        for (const [qi, question] of questions.entries()) {
          const hits = retrieved[qi]!;
          const spans = await readSpans(reader, tokenizer, question, hits, {
            num_spans: num(args, 'num-spans')!,
            max_answer_length: num(args, 'max-answer-length')!,
            num_spans_per_passage: num(args, 'num-spans-per-passage')!,
          });
          const answers = spans.map((s) => {
            const p = hits[s.doc_id]!;
            const what = `the answer "${s.text}" to ${JSON.stringify(question)}`;
            requireFiniteScores({ span_score: s.span_score, relevance_score: s.relevance_score }, what, READER_DAMAGED_FIX);
            requireFiniteScores({ 'retrieval score': p.score }, what, INDEX_DAMAGED_FIX);
            return {
              text: s.text,
              span_score: s.span_score,
              relevance_score: s.relevance_score,
              passage: { id: p.id, title: p.title, text: p.text, score: p.score },
            };
          });
          if (json) {
            process.stdout.write(JSON.stringify({ question, answers }) + '\n');
            continue;
          }
          const lines = [`question: ${question}`];
          if (answers.length === 0) lines.push('  no answer found');
          answers.forEach((a, r) => {
            lines.push(
              `${r === 0 ? 'answer' : `  #${r + 1}  `}: ${cleanAnswerText(a.text)}   (span ${a.span_score.toFixed(3)}, relevance ${a.relevance_score.toFixed(3)})`,
            );
            lines.push(
              `        from ${String(a.passage.id)}${a.passage.title ? ` — ${a.passage.title}` : ''} (retrieval score ${a.passage.score.toFixed(3)})`,
            );
            lines.push(`        ${snippet(a.passage.text, 110)}`);
          });
          process.stdout.write(lines.join('\n') + '\n\n');
        }
      } finally {
        reader.dispose();
      }
    } finally {
      await encoder.dispose();
    }
  } finally {
    await index.close();
  }
  return 0;
}

/** The cached index of the bundled sample corpus, built (or resumed) first when needed, with its BM25 index for --hybrid. */
async function sampleIndex(contextModel: string, workers: { workers?: number }, withBm25: boolean): Promise<string> {
  const corpus = sampleCorpusPath();
  const plan = await planCachedIndex(contextModel, corpus, { onProgress: hubProgressReporter() });
  if (!plan.ready) {
    process.stderr.write(`dpr ask: embedding the bundled sample corpus with ${contextModel} (first use; cached in ${plan.dir})\n`);
    await indexFile({
      model: plan.contextModelDir,
      passagesPath: corpus,
      outDir: plan.dir,
      resume: true,
      label: 'sample corpus',
      ...workers,
    });
  }
  if (withBm25 && !hasBm25Index(plan.dir)) {
    const index = await DenseIndex.open(plan.dir);
    try {
      await saveBm25Index(plan.dir, await buildBm25ForIndex(index));
    } finally {
      await index.close();
    }
  }
  return plan.dir;
}
