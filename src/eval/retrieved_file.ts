/**
 * Retrieval results read back for evaluation without searching again, in either of two shapes:
 * - `dpr search --json` output: one line per question `{"id", "question", "hits": [{"id",
 *   "score", "title", "text"}]}` (no answers: they come from the QA file, joined in order);
 * - DPR's own `dense_retriever.py` output (also what Pyserini's convert_trec_run_to_dpr_retrieval_run
 *   writes): one JSON array of `{"question", "answers", "ctxs": [{"id", "title", "text", "score"}]}`.
 */
import { InputError } from '../errors.js';
import { normalizeQuestion, type QaSample } from './qa_file.js';
import type { RankedForQuestion } from './top_k_accuracy.js';

export interface RetrievedPassage {
  id: string;
  text: string;
  title?: string;
  score?: number;
}

export interface RetrievedQuestion {
  question: string;
  /** Present in DPR's format; absent in `dpr search --json` output. */
  answers?: string[];
  id?: string;
  passages: RetrievedPassage[];
  /** Where it was read (file:line or file[index]) for error messages. */
  where: string;
}

export function parseRetrievedText(text: string, source = 'retrieved'): RetrievedQuestion[] {
  const trimmed = text.trimStart();
  const out = trimmed.startsWith('[') ? parseDprJson(text, source) : parseSearchJsonl(text, source);
  if (out.length === 0) throw new InputError(`${source}: holds no retrieval results.`);
  return out;
}

function parseDprJson(text: string, source: string): RetrievedQuestion[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${source}: not valid JSON (${(err as Error).message}).`);
  }
  return (data as unknown[]).map((item, i) => {
    const where = `${source}[${i}]`;
    const { question, answers, ctxs } = asObject(item, where);
    if (!Array.isArray(answers) || !answers.every((a) => typeof a === 'string'))
      throw new InputError(`${where}: "answers" must be a list of strings.`);
    return {
      question: asString(question, 'question', where),
      answers: answers as string[],
      passages: passages(ctxs, 'ctxs', where),
      where,
    };
  });
}

function parseSearchJsonl(text: string, source: string): RetrievedQuestion[] {
  const out: RetrievedQuestion[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new InputError(`${where}: not valid JSON (${(err as Error).message}); expected a line of \`dpr search --json\` output.`);
    }
    const { id, question, hits } = asObject(value, where);
    const entry: RetrievedQuestion = { question: asString(question, 'question', where), passages: passages(hits, 'hits', where), where };
    if (typeof id === 'string' || typeof id === 'number') entry.id = String(id);
    out.push(entry);
  });
  return out;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError(`${where}: expected a JSON object.`);
  return value as Record<string, unknown>;
}

function asString(value: unknown, name: string, where: string): string {
  if (typeof value !== 'string') throw new InputError(`${where}: "${name}" must be a string.`);
  return value;
}

function passages(list: unknown, name: string, where: string): RetrievedPassage[] {
  if (!Array.isArray(list)) throw new InputError(`${where}: "${name}" must be a list of passages.`);
  return list.map((p, j) => {
    const o = asObject(p, `${where} ${name}[${j}]`);
    const passage: RetrievedPassage = { id: String(o.id), text: asString(o.text, `${name}[${j}].text`, where) };
    if (typeof o.title === 'string') passage.title = o.title;
    // DPR writes scores as strings.
    if (o.score !== undefined && Number.isFinite(Number(o.score))) passage.score = Number(o.score);
    return passage;
  });
}

/**
 * Pairs results with questions for topKAccuracy. With a QA file, result i must be for question i
 * (the question texts are compared); without one, the results must carry answers (DPR's format).
 */
export function rankedFromRetrieved(retrieved: readonly RetrievedQuestion[], qa?: readonly QaSample[]): RankedForQuestion[] {
  if (qa && qa.length !== retrieved.length) {
    throw new InputError(
      `the retrieval results hold ${retrieved.length} questions but the QA file ${qa.length}; evaluate results of the same question file.`,
    );
  }
  return retrieved.map((r, i) => {
    const sample = qa?.[i];
    if (sample && normalizeQuestion(r.question) !== sample.question) {
      throw new InputError(
        `${r.where}: question ${JSON.stringify(r.question.slice(0, 60))} is not question ${i + 1} of the QA file (${JSON.stringify(sample.question.slice(0, 60))}); results must be in the QA file's order.`,
      );
    }
    const answers = sample?.answers ?? r.answers;
    if (!answers) throw new InputError(`${r.where}: these results carry no answers; give the QA file they were searched from.`);
    const ranked: RankedForQuestion = { answers, passages: r.passages.map((p) => p.text) };
    const key = sample?.id ?? r.id;
    if (key !== undefined) ranked.key = key;
    return ranked;
  });
}
