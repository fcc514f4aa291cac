/**
 * Question/answer files as DPR ships them: `nq-test.csv` & co. are `question<TAB>answers` rows
 * read by Python's csv module (tab delimiter, `"` quoting) with answers a Python list literal;
 * JSONL files hold `{"question", "answers", "id"?}` objects. As in DPR (`normalize_question`),
 * a ’ in a question becomes '. Every problem names source:line and nothing is returned.
 */
import { InputError } from '../errors.js';
import { parsePythonStringList, PythonLiteralError } from './python_literal.js';

export interface QaSample {
  question: string;
  answers: string[];
  /** From a JSONL `id`; CSV rows have none. */
  id?: string;
}

export type QaFormat = 'csv' | 'jsonl';

export interface ParseQaOptions {
  /** Names the file in errors (`nq-test.csv:12: …`). */
  source?: string;
  /** Default: from the source's extension (.jsonl/.json → jsonl, else csv), else by the first character. */
  format?: QaFormat;
}

/** DPR's `normalize_question`. */
export function normalizeQuestion(question: string): string {
  return question.replaceAll('\u2019', "'");
}

export function parseQaText(text: string, options: ParseQaOptions = {}): QaSample[] {
  const source = options.source ?? 'qa';
  const format = options.format ?? guessFormat(text, source);
  const samples = format === 'jsonl' ? parseJsonl(text, source) : parseCsv(text, source);
  if (samples.length === 0) throw new InputError(`${source}: holds no questions.`);
  return samples;
}

function guessFormat(text: string, source: string): QaFormat {
  if (/\.jsonl?$/i.test(source)) return 'jsonl';
  if (/\.(csv|tsv)$/i.test(source)) return 'csv';
  return text.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

function parseJsonl(text: string, source: string): QaSample[] {
  const samples: QaSample[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new InputError(`${where}: not valid JSON (${(err as Error).message}).`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputError(`${where}: expected an object {"question": …, "answers": […]}.`);
    }
    const { question, answers, id } = value as Record<string, unknown>;
    if (typeof question !== 'string') throw new InputError(`${where}: "question" must be a string.`);
    if (!Array.isArray(answers) || !answers.every((a) => typeof a === 'string')) {
      throw new InputError(`${where}: "answers" must be a list of strings.`);
    }
    checkAnswers(answers as string[], where);
    const sample: QaSample = { question: normalizeQuestion(question), answers: answers as string[] };
    if (typeof id === 'string' || typeof id === 'number') sample.id = String(id);
    samples.push(sample);
  });
  return samples;
}

function checkAnswers(answers: string[], where: string): void {
  if (answers.length === 0) throw new InputError(`${where}: the answers list is empty; every question needs at least one answer.`);
}

function parseCsv(text: string, source: string): QaSample[] {
  const samples: QaSample[] = [];
  for (const { fields, line } of csvRows(text, source)) {
    const where = `${source}:${line}`;
    if (fields.length < 2) {
      throw new InputError(`${where}: expected question<TAB>answers (a Python list literal such as ['Victor Hugo']); found no tab.`);
    }
    let answers: string[];
    try {
      answers = parsePythonStringList(fields[1]!);
    } catch (err) {
      if (!(err instanceof PythonLiteralError)) throw err;
      throw new InputError(
        `${where}: the answers are not a Python list of strings: ${err.message} of ${JSON.stringify(fields[1]!.slice(0, 60))}.`,
      );
    }
    checkAnswers(answers, where);
    samples.push({ question: normalizeQuestion(fields[0]!), answers });
  }
  return samples;
}

interface CsvRow {
  fields: string[];
  /** 1-based line on which the row starts. */
  line: number;
}

/**
 * Python's csv.reader with delimiter '\t' (excel dialect otherwise): a field that starts with `"`
 * is quoted (`""` is one quote, tabs and newlines inside are kept, text after the closing quote is
 * appended); rows end at LF or CRLF. Empty lines are skipped (Python yields [] for them, which DPR
 * would then fail on).
 */
function* csvRows(text: string, source: string): Generator<CsvRow> {
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let fieldStart = true;
    for (; pos < text.length; pos++) {
      const c = text[pos]!;
      if (quoted) {
        if (c === '"' && text[pos + 1] === '"') {
          field += '"';
          pos++;
        } else if (c === '"') quoted = false;
        else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"' && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else if (c === '\t') {
        fields.push(field);
        field = '';
        fieldStart = true;
      } else if (c === '\n' || (c === '\r' && text[pos + 1] === '\n')) {
        pos += c === '\r' ? 2 : 1;
        line++;
        break;
      } else {
        field += c;
        fieldStart = false;
      }
    }
    if (quoted) throw new InputError(`${source}:${startLine}: a quoted field is never closed (unexpected end of file).`);
    fields.push(field);
    if (fields.length === 1 && fields[0] === '') continue;
    yield { fields, line: startLine };
  }
}
