/**
 * `eval` benchmark: `dpr eval retrieval` as the library runs it (encode the questions, search the
 * index for max(k) = 100 passages, match answers with DPR's rules) over the sample corpus, dense
 * and --hybrid, in questions/s; plus the BM25 index build of the corpus.
 *
 * The question encoder is BERT-base sized (12 layers, hidden 768) with random weights, in process
 * (as `dpr eval` loads it); the index holds the sample corpus's 342 passages with random 768-d
 * vectors (retrieval quality does not change the work done). Questions: data/sample_qa.csv
 * repeated to 96.
 *
 *   npm run bench -- --only eval
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBackend } from '../src/backend.js';
import { makeConfig } from '../src/config.js';
import { evaluateRetrieval, type Retriever } from '../src/eval/evaluate_retrieval.js';
import { parseQaText } from '../src/eval/qa_file.js';
import { TFDPRQuestionEncoder } from '../src/models/question_encoder.js';
import { randomWeightArrays, seededRandom } from '../src/models/random_weights.js';
import { buildBm25ForIndex } from '../src/retrieval/bm25_files.js';
import { InProcessEmbedder, type Embedder, type EncodedRow } from '../src/retrieval/embedder.js';
import type { LoadedEncoder } from '../src/retrieval/encoders.js';
import { searchQuestionsHybrid } from '../src/retrieval/hybrid_search.js';
import { DenseIndex } from '../src/retrieval/index_format.js';
import { buildIndex, type PassageInput } from '../src/retrieval/index_writer.js';
import { searchQuestions } from '../src/retrieval/question_search.js';
import { encodeForEncoder } from '../src/retrieval/tokenize.js';
import { DPRQuestionEncoderTokenizer } from '../src/tokenizers/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUESTIONS = 96;
const KS = [1, 5, 20, 100];

class RandomEmbedder implements Embedder {
  private readonly random = seededRandom(11);
  constructor(readonly dim: number) {}
  async embed(rows: EncodedRow[]): Promise<Float32Array[]> {
    return rows.map(() => Float32Array.from({ length: this.dim }, () => this.random() * 2 - 1));
  }
  async dispose(): Promise<void> {}
}

async function* stream<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function randomQuestionEncoder(): Promise<LoadedEncoder> {
  const config = makeConfig({ architectures: ['DPRQuestionEncoder'] }); // BERT-base
  const model = TFDPRQuestionEncoder.fromWeights(config, randomWeightArrays(TFDPRQuestionEncoder.weightSpecs(config)));
  const vocabDir = process.env['DPR_REFERENCE_DIR'] ?? join(ROOT, '..', 'shared', 'reference');
  const tokenizer = await DPRQuestionEncoderTokenizer.fromPretrained(join(vocabDir, 'models', 'question_encoder'));
  const embedder = new InProcessEmbedder(model);
  return {
    model: 'random-bert-base',
    architecture: 'DPRQuestionEncoder',
    config,
    configSha256: '',
    tokenizer,
    maxLength: 512,
    embedder,
    tokenize: (text) => encodeForEncoder(tokenizer, 512, text),
    dispose: async () => model.dispose(),
  };
}

export async function benchEval(): Promise<Array<Record<string, unknown>>> {
  const backend = await ensureBackend();
  const corpus = readFileSync(join(ROOT, 'data', 'sample_corpus.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PassageInput);
  const sample = parseQaText(readFileSync(join(ROOT, 'data', 'sample_qa.csv'), 'utf8'), { source: 'data/sample_qa.csv' });
  const qa = Array.from({ length: QUESTIONS }, (_, i) => sample[i % sample.length]!);
  const out = mkdtempSync(join(tmpdir(), 'dpr-bench-eval-'));
  const encoder = await randomQuestionEncoder();
  const rows: Array<Record<string, unknown>> = [];
  try {
    await buildIndex({
      outDir: out,
      passages: stream(corpus),
      embedder: new RandomEmbedder(768),
      tokenize: () => ({ input_ids: [101, 102], token_type_ids: [0, 0], attention_mask: [1, 1] }),
      encoder: { model: 'random', architecture: 'DPRContextEncoder', config_sha256: '', max_length: 512 },
    });
    const index = await DenseIndex.open(out);
    try {
      let started = performance.now();
      const bm25 = await buildBm25ForIndex(index);
      rows.push({ workload: 'bm25_build', passages: index.count, ms: +(performance.now() - started).toFixed(1) });
      for (const mode of ['dense', 'hybrid'] as const) {
        const retrieve: Retriever = async (questions, k) => {
          const batch = questions.map((text, i) => ({ id: i, text }));
          const lists =
            mode === 'hybrid'
              ? await searchQuestionsHybrid(encoder, index, bm25, batch, k, 32)
              : await searchQuestions(encoder, index, batch, k, 32);
          return lists.map((hits) => hits.map((h) => ({ id: String(h.id), title: h.title, text: h.text })));
        };
        await evaluateRetrieval(qa.slice(0, 8), retrieve, { ks: KS, batchSize: 8 }); // warm-up
        started = performance.now();
        await evaluateRetrieval(qa, retrieve, { ks: KS, batchSize: 32 });
        const seconds = (performance.now() - started) / 1000;
        rows.push({
          workload: 'eval_retrieval',
          mode,
          questions: QUESTIONS,
          passages: index.count,
          k: 100,
          seconds: +seconds.toFixed(2),
          questions_per_s: +(QUESTIONS / seconds).toFixed(1),
          backend,
          encoder: 'bert-base (random), in-process',
        });
      }
    } finally {
      await index.close();
    }
  } finally {
    await encoder.dispose();
    rmSync(out, { recursive: true, force: true });
  }
  return rows;
}
