import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../src/errors.js';
import { EmbeddingChecker, readEmbeddings, type EmbeddingRecord } from '../../src/import/embedding_files.js';
import { referencePath } from '../helpers/reference.js';

const dir = mkdtempSync(join(tmpdir(), 'dpr-import-emb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(path: string): Promise<EmbeddingRecord[]> {
  const out: EmbeddingRecord[] = [];
  const checker = new EmbeddingChecker();
  for await (const r of readEmbeddings(path)) {
    checker.check(r);
    out.push(r);
  }
  return out;
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const pkl = (name: string, hex: string): string => file(name, Buffer.from(hex, 'hex'));

async function rejects(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readAll(path), (e: unknown) => {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(e.message.includes(path), `the message names the file: ${e.message}`);
    return true;
  });
}

test('the numpy-2 shard gives exactly the stored ids and float32 vectors', async () => {
  const expected = JSON.parse(readFileSync(referencePath('index', 'emb_numpy2.expected.json'), 'utf8')) as {
    ids: string[];
    vectors: number[][];
  };
  const records = await readAll(referencePath('index', 'emb_numpy2.pkl'));
  assert.deepEqual(
    records.map((r) => r.id),
    expected.ids,
  );
  records.forEach((r, i) => assert.deepEqual([...r.vector], expected.vectors[i]!.map(Math.fround), `vector ${i}`));
});

test('both numpy-1 shards (protocols 4 and 3) read as ids 1..1000 of 768 values; float64 scores match expected_top100', async () => {
  const records = [
    ...(await readAll(referencePath('index', 'emb_shard_0.pkl'))),
    ...(await readAll(referencePath('index', 'emb_shard_1.pkl'))),
  ];
  assert.deepEqual(
    records.map((r) => r.id),
    Array.from({ length: 1000 }, (_, i) => String(i + 1)),
  );
  assert.ok(records.every((r) => r.vector.length === 768));
  // The expected scores were computed in float64 from the stored float32 vectors: any changed bit
  // of a vector moves its score by far more than the tolerance.
  const byId = new Map(records.map((r) => [r.id, r.vector]));
  const expected = JSON.parse(readFileSync(referencePath('index', 'expected_top100.json'), 'utf8')) as Record<
    string,
    Array<[string, number]>
  >;
  const queries = readFileSync(referencePath('index', 'queries.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; vector: number[] });
  let checked = 0;
  for (const q of queries) {
    for (const [id, score] of expected[q.id]!) {
      const v = byId.get(id)!;
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i]! * Math.fround(q.vector[i]!);
      assert.ok(Math.abs(s - score) <= 1e-9 * Math.abs(score), `${q.id}/${id}: ${s} vs ${score}`);
      checked++;
    }
  }
  assert.equal(checked, 2000);
});

// Bytes written by CPython 3 + numpy 2 `pickle.dumps([('a', [1.5, -2, 0.25]), ('b', [0, 1, 2])], protocol=…)`.
const PROTOCOL_2 =
  '80025d7100285801000000617101636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7102636e756d70790a6e6461727261790a71034b00857104635f636f646563730a656e636f64650a7105580100000062710658060000006c6174696e31710786710852710987710a52710b284b014b0385710c636e756d70790a64747970650a710d58020000006634710e898887710f527110284b0358010000003c71114e4e4e4affffffff4affffffff4b0074711262896805580f0000000000c3803f000000c3800000c2803e71136807867114527115747116628671175801000000627118680268034b00857119680987711a52711b284b014b0385711c6810896805580d000000000000000000c2803f00000040711d680786711e52711f74712062867121652e';
const PROTOCOL_5 =
  '800595b5000000000000005d94288c0161948c136e756d70792e5f636f72652e6e756d65726963948c0b5f66726f6d62756666657294939428960c000000000000000000c03f000000c00000803e948c056e756d7079948c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b007494624b0385948c0143947494529486948c016294680428960c00000000000000000000000000803f0000004094680b4b038594680f749452948694652e';
const BIG_ENDIAN =
  '8004959e000000000000005d948c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468058c0564747970659493948c02663494898887945294284b038c013e944e4e4e4affffffff4affffffff4b0074946289430c3fc00000c00000003e800000947494628694612e';

test('protocol 2 (bytes via _codecs.encode), protocol 5 (_frombuffer, BYTEARRAY8) and big-endian float32 read the same values', async () => {
  for (const [name, hex] of [
    ['p2.pkl', PROTOCOL_2],
    ['p5.pkl', PROTOCOL_5],
  ] as const) {
    const records = await readAll(pkl(name, hex));
    assert.deepEqual(
      records.map((r) => [r.id, [...r.vector]]),
      [
        ['a', [1.5, -2, 0.25]],
        ['b', [0, 1, 2]],
      ],
      name,
    );
  }
  const big = await readAll(pkl('big.pkl', BIG_ENDIAN));
  assert.deepEqual([...big[0]!.vector], [1.5, -2, 0.25]);
});

test('bad shards are refused with the file, what was found and the fix', async () => {
  const cases: Array<[string, string, RegExp]> = [
    // os.system through the REDUCE path: refused by name before anything is called.
    [
      'evil.pkl',
      '80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e',
      /refusing global "posix\.system".*DPR embedding shard/,
    ],
    [
      'odict.pkl',
      '8004952b000000000000005d948c0161948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948694612e',
      /refusing global "collections\.OrderedDict"/,
    ],
    [
      'f64.pkl',
      '800495aa000000000000005d948c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468058c0564747970659493948c02663894898887945294284b038c013c944e4e4e4affffffff4affffffff4b00749462894318000000000000f83f00000000000000c0000000000000d03f947494628694612e',
      /item 0: the vector of "a" has numpy dtype f8, not float32/,
    ],
    [
      'mixed.pkl',
      '800495cb000000000000005d94288c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468058c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946289430c0000c03f000000c00000803e9474946286948c016294680468074b008594680987945294284b014b0285946811894308000000000000803f947494628694652e',
      /item 1: the vector of "b" has 2 values but earlier ones have 3/,
    ],
    [
      'nan.pkl',
      '8004959e000000000000005d948c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468058c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946289430c0000c03f0000c07f0000803e947494628694612e',
      /item 0: the vector of "a" holds NaN at position 1; embeddings must be finite/,
    ],
    [
      'inf.pkl',
      '80035d71005801000000617101636e756d70792e5f636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7102636e756d70790a6e6461727261790a71034b008571044301627105877106527107284b014b03857108636e756d70790a64747970650a710958020000006634710a898887710b52710c284b0358010000003c710d4e4e4e4affffffff4affffffff4b0074710e6289430c0000c03f000080ff0000803e710f74711062867111612e',
      /holds -Infinity at position 1/,
    ],
    [
      'dup.pkl',
      '800495cd000000000000005d94288c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468058c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946289430c0000803f00000040000040409474946286946801680468074b008594680987945294284b014b038594681189430c0000803f0000004000004040947494628694652e',
      /item 1: id "a" appears again \(first at .*dup\.pkl item 0\)/,
    ],
    [
      'twod.pkl',
      '800495a4000000000000005d948c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b024b02869468058c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b007494628943100000803f000000400000404000008040947494628694612e',
      /has shape \(2, 2\), not one dimension/,
    ],
    [
      'dict.pkl',
      '8004959c000000000000007d948c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468058c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946289430c0000803f000000400000404094749462732e',
      /holds dict\[1\], not a list/,
    ],
    [
      'object.pkl',
      '80049596000000000000005d948c0161948c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b01859468058c0564747970659493948c024f3894898887945294284b038c017c944e4e4e4affffffff4affffffff4b3f749462895d948c017894617494628694612e',
      /an ndarray's data must be bytes, found list\[1\]/,
    ],
    ['cut.pkl', PROTOCOL_5.slice(0, 120), /pickle truncated/],
  ];
  for (const [name, hex, pattern] of cases) await rejects(pkl(name, hex), pattern);
});

test('an integer id from older scripts is read as its decimal text', async () => {
  const records = await readAll(
    pkl(
      'intid.pkl',
      '8004959c000000000000005d944b078c166e756d70792e5f636f72652e6d756c74696172726179948c0c5f7265636f6e7374727563749493948c056e756d7079948c076e6461727261799493944b0085944301629487945294284b014b03859468048c0564747970659493948c02663494898887945294284b038c013c944e4e4e4affffffff4affffffff4b0074946289430c0000803f0000004000004040947494628694612e',
    ),
  );
  assert.deepEqual(
    records.map((r) => [r.id, [...r.vector]]),
    [['7', [1, 2, 3]]],
  );
});

test('dpr encode JSONL: values, and file:line errors', async () => {
  const good = file('enc.jsonl', '{"id":"x","vector":[0.1,2,-3]}\n\n{"id":"y","vector":[1,1,1]}\n');
  assert.deepEqual(
    (await readAll(good)).map((r) => [r.id, [...r.vector]]),
    [
      ['x', [Math.fround(0.1), 2, -3]],
      ['y', [1, 1, 1]],
    ],
  );
  await rejects(
    file('bad1.jsonl', '{"id":"x","vector":[1,2]}\n{"id":"y","vector":[1]}\n'),
    /bad1\.jsonl:2: the vector of "y" has 1 values but earlier ones have 2/,
  );
  await rejects(file('bad2.jsonl', '{"id":"x","vector":[1,2]}\n{"id":"y"\n'), /bad2\.jsonl:2: not valid JSON/);
  await rejects(file('bad3.jsonl', '{"id":"x","vector":["1"]}\n'), /bad3\.jsonl:1: "vector" is not a non-empty array of numbers/);
  await rejects(
    file('bad4.jsonl', '{"id":"x","vector":[1]}\r\n{"id":"x","vector":[2]}\r\n'),
    /bad4\.jsonl:2: id "x" appears again \(first at .*bad4\.jsonl:1\)/,
  );
  await rejects(file('bad5.jsonl', '{"id":"x","vector":[1e39]}\n'), /holds Infinity at position 0/);
});

function npy(values: number[][], descr = '<f4'): Uint8Array {
  const rows = values.length;
  const dim = values[0]?.length ?? 0;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`;
  header = header.padEnd(128 - 10 - 1, ' ') + '\n'; // numpy aligns the data to 64 bytes
  const out = new Uint8Array(10 + header.length + rows * dim * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  new Float32Array(out.buffer, 10 + header.length).set(values.flat());
  return out;
}

test('.npy + ids file: rows in order with their ids; count mismatches and other dtypes refused', async () => {
  file('m.ids.txt', 'p1\np2\n');
  const records = await readAll(
    file(
      'm.npy',
      npy([
        [1, 2],
        [3, 4],
      ]),
    ),
  );
  assert.deepEqual(
    records.map((r) => [r.id, [...r.vector]]),
    [
      ['p1', [1, 2]],
      ['p2', [3, 4]],
    ],
  );
  file('short.ids.txt', 'p1\n');
  await rejects(
    file(
      'short.npy',
      npy([
        [1, 2],
        [3, 4],
      ]),
    ),
    /short\.ids\.txt: holds 1 ids but .*short\.npy holds 2 vectors/,
  );
  file('f8.ids.txt', 'p1\n');
  await rejects(file('f8.npy', npy([[1, 2]], '<f8')), /holds <f8 of shape \(1, 2\)/);
  await rejects(file('noids.npy', npy([[1, 2]])), /the ids file .*noids\.ids\.txt does not exist/);
});
