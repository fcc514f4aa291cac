/**
 * The serving half of the index-scale bench (bench_index_scale.ts), in its own process so that
 * its resident memory is the index's alone: opens an index once, answers the queries at batch 1
 * and at batch 64, and prints one JSON line: rows per query (for recall), ms/query, RSS.
 *
 *   node --import tsx scripts/bench_index_serve.ts INDEX_DIR QUERIES.f32 K [CANDIDATES] [BATCH1_QUERIES]
 */
import { readFileSync } from 'node:fs';
import { LocalIndex } from '../src/retrieval/local_index.js';

const [dir, queriesPath, kText, candidatesText, batch1Text] = process.argv.slice(2);
const k = Number(kText);
const index = await LocalIndex.open(dir!);
const flat = new Float32Array(new Uint8Array(readFileSync(queriesPath!)).buffer);
const queries = Array.from({ length: flat.length / index.dim }, (_, q) => flat.subarray(q * index.dim, (q + 1) * index.dim));
const options = { k, ...(candidatesText !== undefined && candidatesText !== '' ? { candidates: Number(candidatesText) } : {}) };
const batch1 = Math.min(queries.length, Number(batch1Text ?? queries.length));

await index.searchRows(queries.slice(0, 2), options); // warm-up (first touches of the mapped graph)
let t = performance.now();
for (let q = 0; q < batch1; q++) await index.searchRows([queries[q]!], options);
const msBatch1 = (performance.now() - t) / batch1;
t = performance.now();
const rows: number[][] = [];
for (let start = 0; start < queries.length; start += 64) {
  const hits = await index.searchRows(queries.slice(start, start + 64), options);
  for (const h of hits) rows.push(h.map((x) => x.row));
}
const msBatch64 = (performance.now() - t) / queries.length;
const rssMb = process.memoryUsage().rss / 2 ** 20;
await index.close();
console.log(JSON.stringify({ ms_batch1: +msBatch1.toFixed(2), ms_batch64: +msBatch64.toFixed(2), rss_mb: Math.round(rssMb), rows }));
