/**
 * `dpr search --model QUESTION_DIR --index INDEX_DIR [-k 10] "question" …` (or --input FILE):
 * exact maximum-inner-product search over a dense index, questions encoded and searched in batches.
 */
import { InputError } from '../../errors.js';
import { DEFAULT_QUESTION_BATCH_SIZE, DEFAULT_TOP_K } from '../../retrieval/defaults.js';
import { loadEncoder } from '../../retrieval/encoders.js';
import { DenseIndex } from '../../retrieval/index_format.js';
import { searchQuestionsHybrid } from '../../retrieval/hybrid_search.js';
import { checkEncoderFitsIndex, searchQuestions, type Question, type SearchHit } from '../../retrieval/question_search.js';
import { type CommandSpec, type ParsedArgs, flag, num, parseArgsOrHelp, str } from '../args.js';
import { INDEX_DAMAGED_FIX, requireFiniteScores } from '../finite.js';
import { readJsonl, toTextRecord } from '../jsonl.js';
import { HYBRID_OPTIONS, hybridFromArgs, loadBm25ForHybrid } from '../hybrid_flags.js';
import type { FlagNames } from '../option_flags.js';
import { hubProgressReporter } from '../progress.js';
import { snippet } from '../snippet.js';
import { searchByVectors } from '../vector_search.js';

export const FLAGS: FlagNames = { model: '--model' };

export const SPEC: CommandSpec = {
  name: 'dpr search',
  summary: "Find the passages of an index whose vectors have the largest inner product with each question's.",
  usage: '(--model QUESTION_DIR ("question" … | --input FILE.jsonl) | --query-vectors FILE.jsonl) --index INDEX_DIR [-k 10] [--json]',
  positionals: { name: 'question …', description: 'questions to search for (ids 1, 2, … in --json output)' },
  options: {
    model: { type: 'string', value: 'DIR', description: 'a DPR question encoder (DPRQuestionEncoder); not needed with --query-vectors' },
    'query-vectors': {
      type: 'string',
      value: 'FILE',
      description: 'JSONL, one {"id", "vector"} query per line, encoded elsewhere (instead of --model and questions)',
    },
    candidates: {
      type: 'integer',
      min: 1,
      value: 'N',
      description: 'hnsw index: candidates re-ranked exactly per query (default 1000; more finds more of the true top k)',
    },
    ef: { type: 'integer', min: 1, value: 'N', description: 'hnsw index: graph search breadth (default 256)' },
    index: { type: 'string', required: true, value: 'DIR', description: 'an index built by `dpr index build`' },
    k: { type: 'integer', short: 'k', min: 1, default: DEFAULT_TOP_K, value: 'N', description: 'passages to return per question' },
    input: { type: 'string', value: 'FILE', description: 'JSONL, one {"id", "text"} question per line; - reads stdin' },
    json: {
      type: 'boolean',
      description: 'print one JSON line per question: {"id", "question", "hits": [{"id", "score", "title", "text"}]}',
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
  epilog: 'example:\n  dpr search --model ./question_encoder --index ./sample_index -k 5 "what is the capital of france?"',
};

function printHuman(question: Question, hits: SearchHit[]): void {
  const lines = [`question: ${question.text}`];
  hits.forEach((h, r) => {
    lines.push(`${String(r + 1).padStart(3)}  ${h.score.toFixed(4).padStart(9)}  ${String(h.id)}  ${h.title}`);
    lines.push(`${' '.repeat(16)}${snippet(h.text, 100)}`);
  });
  process.stdout.write(lines.join('\n') + '\n\n');
}

async function* questionSource(args: ParsedArgs): AsyncGenerator<Question> {
  const input = str(args, 'input');
  if (input !== undefined && args.positionals.length > 0) {
    throw new InputError('give questions as arguments or with --input, not both.');
  }
  if (input === undefined) {
    if (args.positionals.length === 0)
      throw new InputError('no question given; pass one or more questions as arguments, or --input FILE.jsonl.');
    let i = 0;
    for (const text of args.positionals) yield { id: ++i, text };
    return;
  }
  let count = 0;
  for await (const record of readJsonl(input)) {
    const { id, text } = toTextRecord(record, input, false);
    count++;
    yield { id, text };
  }
  if (count === 0)
    throw new InputError(`${input === '-' ? '<stdin>' : input} holds no questions; expected one {"id", "text"} JSON object per line.`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgsOrHelp(SPEC, argv);
  if (args === undefined) return 0;
  if (str(args, 'query-vectors') !== undefined) return searchByVectors(args);
  if (str(args, 'model') === undefined)
    throw new InputError('--model is required (or --query-vectors FILE.jsonl for queries encoded elsewhere).');
  const k = num(args, 'k')!;
  const batchSize = num(args, 'batch-size')!;
  const json = flag(args, 'json');
  const hybrid = hybridFromArgs(args);
  const bm25 = hybrid ? await loadBm25ForHybrid(str(args, 'index')!) : undefined;
  const index = await DenseIndex.open(str(args, 'index')!);
  try {
    // Questions are few and short: one in-process model (whose native matMul, if built, uses every
    // core) answers sooner than a pool that must first load a copy per worker.
    const encoder = await loadEncoder(str(args, 'model')!, ['DPRQuestionEncoder'], { workers: 1, onProgress: hubProgressReporter() });
    try {
      checkEncoderFitsIndex(encoder, index);
      let batch: Question[] = [];
      const flush = async (): Promise<void> => {
        const results =
          bm25 && hybrid
            ? await searchQuestionsHybrid(encoder, index, bm25, batch, k, batchSize, hybrid)
            : await searchQuestions(encoder, index, batch, k, batchSize);
        batch.forEach((q, i) => {
          const hits = results[i]!;
          for (const h of hits)
            requireFiniteScores(
              { score: h.score },
              `passage ${JSON.stringify(h.id)} for question ${JSON.stringify(q.id)}`,
              INDEX_DAMAGED_FIX,
            );
          if (json) {
            const line = {
              id: q.id,
              question: q.text,
              hits: hits.map((h) => ({ id: h.id, score: h.score, title: h.title, text: h.text })),
            };
            process.stdout.write(JSON.stringify(line) + '\n');
          } else {
            printHuman(q, hits);
          }
        });
        batch = [];
      };
      for await (const question of questionSource(args)) {
        batch.push(question);
        if (batch.length === batchSize) await flush();
      }
      if (batch.length > 0) await flush();
    } finally {
      await encoder.dispose();
    }
  } finally {
    await index.close();
  }
  return 0;
}
