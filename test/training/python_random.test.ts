// Expected values printed by CPython 3.11's `random` module (see each comment).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PythonRandom } from '../../src/training/python_random.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

test('getrandbits(32) matches random.Random(seed) for small and multi-word seeds', () => {
  // [random.Random(s).getrandbits(32) for _ in range(k)]
  const cases: [number, number[]][] = [
    [42, [2746317213, 478163327, 107420369]],
    [0, [3626764237, 1654615998]],
    [2 ** 40 + 5, [2166296868, 2220160828]],
  ];
  for (const [seed, expected] of cases) {
    const rng = new PythonRandom(seed);
    assert.deepEqual(
      expected.map(() => rng.getrandbits(32)),
      expected,
      `seed ${seed}`,
    );
  }
});

test('shuffle matches random.Random(seed).shuffle', () => {
  const cases: [number, number[]][] = [
    [12345, [16, 18, 3, 8, 19, 10, 7, 14, 12, 1, 5, 2, 15, 17, 4, 6, 11, 9, 0, 13]],
    [43, [8, 13, 5, 2, 6, 3, 17, 0, 16, 18, 7, 19, 12, 15, 10, 11, 14, 4, 9, 1]],
    [7, [17, 15, 11, 18, 7, 6, 19, 3, 14, 0, 9, 5, 16, 8, 13, 2, 1, 12, 4, 10]],
  ];
  for (const [seed, expected] of cases) {
    const list = range(20);
    new PythonRandom(seed).shuffle(list);
    assert.deepEqual(list, expected, `seed ${seed}`);
  }
  // Crosses the 624-word regeneration many times: l = list(range(1000)); Random(12345).shuffle(l)
  const big = range(1000);
  new PythonRandom(12345).shuffle(big);
  assert.deepEqual(big.slice(0, 10), [669, 944, 291, 633, 922, 752, 781, 258, 657, 615]);
  assert.deepEqual(big.slice(-5), [845, 839, 10, 750, 426]);
});

test('consecutive shuffles share one stream; a one-element list draws nothing', () => {
  // r = Random(99); r.shuffle(a=[0..4]); r.shuffle([9]); r.shuffle(b=[0..2])
  const rng = new PythonRandom(99);
  const a = range(5);
  const b = range(3);
  const c = [9];
  rng.shuffle(a);
  rng.shuffle(c);
  rng.shuffle(b);
  assert.deepEqual([a, b, c], [[1, 2, 0, 4, 3], [1, 2, 0], [9]]);
});

test('re-seeding restarts the stream', () => {
  const rng = new PythonRandom(5);
  const first = [rng.getrandbits(32), rng.getrandbits(32)];
  rng.seed(5);
  assert.deepEqual([rng.getrandbits(32), rng.getrandbits(32)], first);
  assert.throws(() => rng.randbelow(0), RangeError);
});
