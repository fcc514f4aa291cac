import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readPassages, type SourcePassage } from '../../src/import/passage_files.js';
import { referencePath } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-import-psg-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string): Promise<SourcePassage[]> {
  const out: SourcePassage[] = [];
  for await (const p of readPassages(path)) out.push(p);
  return out;
}

test("DPR's psgs.tsv fixture: 1000 passages, doubled quotes undone, CRLF dropped, byte ranges re-read the record", async () => {
  const path = referencePath('index', 'psgs.tsv');
  const passages = await readAll(path);
  assert.equal(passages.length, 1000);
  assert.deepEqual(
    { id: passages[0]!.id, title: passages[0]!.title, text: passages[0]!.text, where: passages[0]!.where },
    { id: '1', title: 'Topic 7 (island)', text: 'Passage 1 on the island of cluster 7; it quotes "island" once.', where: `${path}:2` },
  );
  const bytes = readFileSync(path);
  const p = passages[999]!;
  assert.equal(p.id, '1000');
  assert.ok(bytes.subarray(p.start, p.end).toString('utf8').startsWith('1000\t"'));
  assert.ok(bytes.subarray(p.start, p.end).toString('utf8').endsWith('\r\n'));
});

test('TSV: LF or CRLF, any column order, quoted tabs and newlines, unquoted fields', async () => {
  const content = 'title\tid\ttext\nT1\t1\t"a\tb ""c"""\r\nT2\t2\t"line one\nline two"\n\t3\tplain text\n';
  const passages = await readAll(file('p.tsv', content));
  assert.deepEqual(
    passages.map(({ id, title, text }) => ({ id, title, text })),
    [
      { id: '1', title: 'T1', text: 'a\tb "c"' },
      { id: '2', title: 'T2', text: 'line one\nline two' },
      { id: '3', title: '', text: 'plain text' },
    ],
  );
  assert.deepEqual(
    passages.map((p) => p.where.split(':').pop()),
    ['2', '3', '5'],
  );
  assert.equal(content.slice(passages[1]!.start, passages[1]!.end), 'T2\t2\t"line one\nline two"\n');
});

async function rejects(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readAll(path), (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('malformed TSV rows are refused with file:line', async () => {
  await rejects(file('h.tsv', 'id\ttext\n1\tx\n'), /h\.tsv:1: the header .* has no "title" column/);
  await rejects(file('n.tsv', 'id\ttext\ttitle\n1\tx\tT\n2\tx\n'), /n\.tsv:3: malformed row: 2 fields, but the header names 3/);
  await rejects(
    file('q.tsv', 'id\ttext\ttitle\n1\t"x"y\tT\n'),
    /q\.tsv:2: malformed row: unexpected "y" after the closing quote of field 2/,
  );
  await rejects(
    file('s.tsv', 'id\ttext\ttitle\n1\tsay "hi"\tT\n'),
    /s\.tsv:2: malformed row: field 2 holds a quote but does not start with one/,
  );
  await rejects(
    file('o.tsv', 'id\ttext\ttitle\n1\t"never closed\tT\n2\tx\tT\n'),
    /o\.tsv:2: malformed row: a quoted field is not closed before the end of the file/,
  );
  await rejects(file('e.tsv', 'id\ttext\ttitle\n\tx\tT\n'), /e\.tsv:2: malformed row: the id is empty/);
});

test('JSONL passages and their errors', async () => {
  const passages = await readAll(file('p.jsonl', '{"id":1,"text":"a"}\n{"id":"b","title":"T","text":"c"}\n'));
  assert.deepEqual(
    passages.map(({ id, title, text }) => ({ id, title, text })),
    [
      { id: '1', title: '', text: 'a' },
      { id: 'b', title: 'T', text: 'c' },
    ],
  );
  await rejects(file('bad.jsonl', '{"id":1,"text":"a"}\n{"id":2}\n'), /bad\.jsonl:2: expected \{"id": string or number/);
  await rejects(file('p.txt', ''), /cannot tell its layout/);
});
