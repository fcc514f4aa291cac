/**
 * `dpr search --index DIR --query-vectors FILE.jsonl`: search with query vectors encoded elsewhere,
 * over an index of any kind, opened once for all queries.
 */
import { InputError } from '../errors.js';
import { embeddingFormat, readEmbeddings } from '../import/embedding_files.js';
import { LocalIndex } from '../retrieval/local_index.js';
import type { StoreHit } from '../retrieval/store.js';
import { type ParsedArgs, flag, num, str } from './args.js';
import { snippet } from './snippet.js';

const BATCH = 64;

function print(id: string, hits: StoreHit[], json: boolean): void {
  if (json) {
    process.stdout.write(
      JSON.stringify({ id, hits: hits.map((h) => ({ id: h.id, score: h.score, title: h.title, text: h.text })) }) + '\n',
    );
    return;
  }
  const lines = [`query: ${id}`];
  hits.forEach((h, r) => {
    lines.push(`${String(r + 1).padStart(3)}  ${h.score.toFixed(4).padStart(9)}  ${h.id}  ${h.title}`);
    lines.push(`${' '.repeat(16)}${snippet(h.text, 100)}`);
  });
  process.stdout.write(lines.join('\n') + '\n\n');
}

export async function searchByVectors(args: ParsedArgs): Promise<number> {
  const path = str(args, 'query-vectors')!;
  if (str(args, 'model') !== undefined || str(args, 'input') !== undefined || args.positionals.length > 0) {
    throw new InputError('--query-vectors replaces --model, --input and questions; give either query vectors or questions.');
  }
  const candidates = num(args, 'candidates');
  const ef = num(args, 'ef');
  const options = { k: num(args, 'k')!, ...(candidates !== undefined ? { candidates } : {}), ...(ef !== undefined ? { ef } : {}) };
  const json = flag(args, 'json');
  const index = await LocalIndex.open(str(args, 'index')!, ef !== undefined ? { ef } : {});
  try {
    let batch: Array<{ id: string; vector: Float32Array }> = [];
    const flush = async (): Promise<void> => {
      const hits = await index.search(
        batch.map((q) => q.vector),
        options,
      );
      batch.forEach((q, i) => print(q.id, hits[i]!, json));
      batch = [];
    };
    let count = 0;
    if (embeddingFormat(path) !== 'jsonl')
      throw new InputError(`${path}: query vectors are read from JSONL ({"id", "vector"} per line, name ending .jsonl).`);
    for await (const query of readEmbeddings(path)) {
      batch.push(query);
      count++;
      if (batch.length === BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    if (count === 0) throw new InputError(`${path} holds no query vectors; expected one {"id", "vector"} JSON object per line.`);
  } finally {
    await index.close();
  }
  return 0;
}
