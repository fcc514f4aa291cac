import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WeightLoadError } from '../../src/errors.js';
import { CHECKPOINT_GLOBALS } from '../../src/io/torch_pickle.js';
import {
  PickleTruncatedError,
  PyGlobal,
  PyTuple,
  unpickle,
  type GlobalHandler,
  type PyValue,
  type UnpicklePolicy,
} from '../../src/io/unpickler.js';
import { global, pickle, reduce, tuple } from './torch_fixture.js';

const NO_GLOBALS: UnpicklePolicy = { globals: new Map() };
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

/** Plain JS for comparison: tuples become { tuple: [...] }, dicts become [[k, v], …]. */
function plain(v: PyValue): unknown {
  if (v instanceof PyTuple) return { tuple: v.items.map(plain) };
  if (v instanceof Map) return [...v].map(([k, x]) => [plain(k), plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return { bytes: [...v] };
  return v;
}

const EXPECTED_LIST = [
  1,
  -2,
  3.5,
  'héllo',
  { tuple: [1, 2] },
  [
    ['a', null],
    ['b', true],
  ],
  2n ** 70n,
  -(2n ** 63n),
  { tuple: [] },
  [],
];

// Bytes written by CPython 3.11 `pickle.dumps(value, protocol=…)`, so the table checks the real
// encoder's output, not only this project's fixture writer.
const CPYTHON_CASES: Array<{ name: string; bytes: string; expected: unknown }> = [
  {
    name: "protocol 2: [1, -2, 3.5, 'héllo', (1,2), {'a': None, 'b': True}, 2**70, -2**63, (), []]",
    bytes:
      '80025d7100284b014afeffffff47400c000000000000580600000068c3a96c6c6f71014b014b028671027d71032858010000006171044e580100000062710588758a090000000000000000408a080000000000000080295d7106652e',
    expected: EXPECTED_LIST,
  },
  {
    name: "protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, SHORT_BINBYTES): [1, -2, 3.5, 'héllo', b'\\x00\\x01', (1,2), {...}, 2**70, -2**63]",
    bytes:
      '8004954c000000000000005d94284b014afeffffff47400c0000000000008c0668c3a96c6c6f9443020001944b014b0286947d94288c0161944e8c01629488758a090000000000000000408a080000000000000080652e',
    expected: [
      1,
      -2,
      3.5,
      'héllo',
      { bytes: [0, 1] },
      { tuple: [1, 2] },
      [
        ['a', null],
        ['b', true],
      ],
      2n ** 70n,
      -(2n ** 63n),
    ],
  },
  {
    name: 'protocol 0 (text INT/FLOAT/LONG/PUT/GET): [1, -2, 3.5, (1,2), {1: None, 2: False}, 2**70]',
    bytes:
      '286c70300a49310a61492d320a6146332e350a612849310a49320a7470310a61286470320a49310a4e7349320a4930300a73614c313138303539313632303731373431313330333432344c0a612e',
    expected: [
      1,
      -2,
      3.5,
      { tuple: [1, 2] },
      [
        [1, null],
        [2, false],
      ],
      2n ** 70n,
    ],
  },
];

for (const c of CPYTHON_CASES) {
  test(`unpickle reads CPython ${c.name}`, () => {
    const data = hex(c.bytes);
    const { value, end } = unpickle(data, NO_GLOBALS, 'case.pkl');
    assert.deepEqual(plain(value), c.expected);
    assert.equal(end, data.length);
  });
}

test('unpickle reads protocol-4 STACK_GLOBAL for an allowed global (OrderedDict)', () => {
  // pickle.dumps(collections.OrderedDict([('x', [1, 2])]), protocol=4)
  const data = hex('8004952f000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0178945d94284b014b0265732e');
  const { value } = unpickle(data, { globals: CHECKPOINT_GLOBALS }, 'od.pkl');
  assert.deepEqual(plain(value), [['x', [1, 2]]]);
});

test('unpickle round-trips the fixture writer, and several pickles can follow each other', () => {
  const a = pickle([1, 'two', tuple(3, null), { t: 'dict', entries: [['k', [true, false]]] }, 2n ** 64n, -1, 70000, -70000, 1.25]);
  const b = pickle('second');
  const both = new Uint8Array([...a, ...b]);
  const first = unpickle(both, NO_GLOBALS, 'x.pkl');
  assert.deepEqual(plain(first.value), [1, 'two', { tuple: [3, null] }, [['k', [true, false]]], 2n ** 64n, -1, 70000, -70000, 1.25]);
  assert.equal(first.end, a.length);
  assert.equal(unpickle(both, NO_GLOBALS, 'x.pkl', first.end).value, 'second');
});

function expectLoadError(data: Uint8Array, policy: UnpicklePolicy, pattern: RegExp): WeightLoadError {
  let caught: unknown;
  try {
    unpickle(data, policy, '/models/bad/evil.pkl');
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof WeightLoadError, `expected a WeightLoadError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.match(caught.message, /evil\.pkl/, 'the message names the file');
  return caught;
}

test('foreign globals are refused by name before anything is called (GLOBAL and STACK_GLOBAL)', () => {
  // CPython: pickle.dumps of an object whose __reduce__ returns (os.system, ('echo pwned',)).
  expectLoadError(
    hex('800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e'),
    { globals: CHECKPOINT_GLOBALS },
    /refusing global "posix\.system"/,
  );
  expectLoadError(
    hex('80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e'),
    { globals: CHECKPOINT_GLOBALS },
    /refusing global "posix\.system"/,
  );
  for (const [module, name] of [
    ['builtins', 'eval'],
    ['__builtin__', 'exec'],
    ['torch.storage', '_load_from_bytes'],
    ['numpy.core.multiarray', '_reconstruct'],
    ['torch', 'Size'],
  ]) {
    expectLoadError(
      pickle(reduce(global(module!, name!), 'x')),
      { globals: CHECKPOINT_GLOBALS },
      new RegExp(`refusing global "${`${module}.${name}`.replace(/\./g, '\\.')}"`),
    );
  }
  // CPython protocol 2 encodes bytes with _codecs.encode: not a state-dict global either.
  expectLoadError(
    hex('8002635f636f646563730a656e636f64650a710058020000000001710158060000006c6174696e3171028671035271042e'),
    { globals: CHECKPOINT_GLOBALS },
    /refusing global "_codecs\.encode"/,
  );
});

test('allowed globals run only their handlers; storage classes cannot be called', () => {
  let called = 0;
  const policy: UnpicklePolicy = {
    globals: new Map<string, GlobalHandler>([
      ['m.f', { call: (args: PyValue[]) => ((called += 1), args.length) }],
      ['m.g', {}],
    ]),
  };
  assert.equal(unpickle(pickle(reduce(global('m', 'f'), 1, 2)), policy, 'ok.pkl').value, 2);
  assert.equal(called, 1);
  expectLoadError(pickle(reduce(global('m', 'g'))), policy, /m\.g cannot be called/);
  expectLoadError(
    pickle(reduce(global('torch', 'FloatStorage'), 3)),
    { globals: CHECKPOINT_GLOBALS },
    /torch\.FloatStorage cannot be called/,
  );
  assert.ok(unpickle(pickle(global('m', 'g')), policy, 'ok.pkl').value instanceof PyGlobal);
});

test('malformed pickles give a WeightLoadError naming the problem', () => {
  const cases: Array<[string, number[], RegExp]> = [
    ['unknown opcode', [0x80, 0x02, 0xff], /unknown opcode 0xff/],
    ['INST', [0x80, 0x02, 0x69, ...Buffer.from('os\nsystem\n'), 0x2e], /INST .*not allowed/],
    ['OBJ', [0x28, 0x6f, 0x2e], /OBJ .*not allowed/],
    ['EXT1', [0x82, 0x01, 0x2e], /EXT1 .*not allowed/],
    ['text STRING', [0x53, ...Buffer.from("'a'\n"), 0x2e], /STRING .*not supported/],
    ['REDUCE on a non-global', [0x4b, 1, 0x29, 0x52, 0x2e], /REDUCE on 1, which is not a callable global/],
    ['GET of a missing memo entry', [0x68, 7, 0x2e], /memo entry 7 was never stored/],
    ['stack underflow', [0x86, 0x2e], /TUPLE2: the stack is empty/],
    ['APPENDS without MARK', [0x5d, 0x65, 0x2e], /APPENDS without a preceding MARK/],
    ['SETITEM on a list', [0x5d, 0x4b, 1, 0x4b, 2, 0x73, 0x2e], /SETITEM on list\[0\], which is not a dict/],
    ['BUILD on a list', [0x5d, 0x4e, 0x62, 0x2e], /BUILD on list\[0\]/],
    ['persistent id without a resolver', [0x4b, 1, 0x51, 0x2e], /persistent ids are not allowed/],
    ['oversized integer', [0x8b, 0x00, 0x01, 0x00, 0x00, ...new Array(256).fill(1), 0x2e], /integer of 256 bytes exceeds/],
    ['invalid UTF-8', [0x8c, 2, 0xc3, 0x28, 0x2e], /not valid UTF-8/],
    ['protocol 9', [0x80, 9, 0x2e], /unsupported pickle protocol 9/],
    ['STOP on an empty stack', [0x2e], /STOP: the stack is empty/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const e = expectLoadError(Uint8Array.from(bytes), NO_GLOBALS, pattern);
    assert.ok(!(e instanceof PickleTruncatedError), `${name}: not a truncation`);
  }
});

test('lengths are checked against the remaining input before any allocation', () => {
  const cases: Array<[string, number[]]> = [
    ['BINUNICODE of 4 GiB', [0x58, 0xff, 0xff, 0xff, 0xff, 0x61]],
    ['BINBYTES8 of 2^63', [0x8e, 0, 0, 0, 0, 0, 0, 0, 0x80]],
    ['BINUNICODE8 of 2^40', [0x8d, 0, 0, 0, 0, 0, 1, 0, 0]],
    ['FRAME longer than the input', [0x80, 4, 0x95, 0, 0, 0, 0, 1, 0, 0, 0]],
    ['no STOP', [0x80, 0x02, 0x4b, 0x01]],
    ['cut inside an argument', [0x4a, 0x01]],
    ['unterminated text argument', [0x49, 0x31, 0x32]],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(
      () => unpickle(Uint8Array.from(bytes), NO_GLOBALS, 'short.pkl'),
      (e: unknown) => {
        assert.ok(e instanceof PickleTruncatedError, `${name}: ${String(e)}`);
        assert.match(e.message, /short\.pkl: pickle truncated at byte \d+/);
        return true;
      },
    );
  }
});
