/**
 * `mergeIndexes`: joins the shards of a sharded build (`buildIndex` with `shard`) into one index,
 * row for row as a one-shot build would have written it. Refused: shards of different encoders,
 * dimensions or dtypes, of different shard sets, and sets with a gap or an overlap.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import type { HnswSettings } from './hnsw_graph.js';
import { IndexFilesWriter, prepareOutDir, type PassageWithVector } from './index_files.js';
import { finishIndex } from './index_finish.js';
import { DenseIndex } from './index_format.js';
import { indexKind, readIndexManifest, type FullManifest, type IndexKind } from './index_manifest.js';

export const MERGE_DIR = '.merge';
const BLOCK_ROWS = 4096;

export interface MergeOptions {
  shards: readonly string[];
  outDir: string;
  /** Default: the kind of the shards. */
  kind?: IndexKind;
  hnsw?: Partial<HnswSettings>;
  overwrite?: boolean;
}

/** The shards in order, after checking they are one complete, consistent set. */
export function checkShardSet(dirs: readonly string[]): Array<{ dir: string; manifest: FullManifest }> {
  if (dirs.length === 0) throw new InputError('no shard directories were given.');
  const shards = dirs.map((dir) => ({ dir, manifest: readIndexManifest(dir) }));
  const first = shards[0]!;
  for (const s of shards) {
    const m = s.manifest;
    if (m.shard === undefined)
      throw new InputError(
        `${s.dir} is not a shard (its manifest records no shard slice); build shards with \`shard\` (dpr index build --shard I/N).`,
      );
    const differs: string[] = [];
    if (m.dim !== first.manifest.dim) differs.push(`dim ${m.dim} vs ${first.manifest.dim}`);
    if (m.dtype !== first.manifest.dtype) differs.push(`dtype ${m.dtype} vs ${first.manifest.dtype}`);
    if (JSON.stringify(m.encoder) !== JSON.stringify(first.manifest.encoder))
      differs.push(`encoder ${JSON.stringify(m.encoder)} vs ${JSON.stringify(first.manifest.encoder)}`);
    if (m.shard.of !== first.manifest.shard!.of || m.shard.corpus_count !== first.manifest.shard!.corpus_count) {
      differs.push(
        `shard set ${m.shard.of} shards of ${m.shard.corpus_count} vs ${first.manifest.shard!.of} of ${first.manifest.shard!.corpus_count}`,
      );
    }
    if (differs.length > 0)
      throw new InputError(`${s.dir} does not match ${first.dir}: ${differs.join('; ')}; merge only shards of one sharded build.`);
    if ((m.deleted ?? []).length > 0) throw new InputError(`${s.dir} has deleted passages; merge shards as built.`);
  }
  shards.sort((a, b) => a.manifest.shard!.start - b.manifest.shard!.start);
  let expected = 0;
  for (const s of shards) {
    const { start, end, index } = s.manifest.shard!;
    if (start > expected)
      throw new InputError(
        `the shards leave a gap: passages ${expected}–${start - 1} are in none of them (shard before ${index} of ${s.manifest.shard!.of} is missing); give every shard.`,
      );
    if (start < expected)
      throw new InputError(
        `the shards overlap: ${s.dir} (shard ${index}) starts at passage ${start}, but earlier shards already hold up to ${expected - 1}; give each shard once.`,
      );
    if (s.manifest.count !== end - start)
      throw new InputError(`${s.dir} holds ${s.manifest.count} passages but its slice is ${start}–${end - 1}; rebuild that shard.`);
    expected = end;
  }
  const total = first.manifest.shard!.corpus_count;
  if (expected !== total)
    throw new InputError(`the shards leave a gap: passages ${expected}–${total - 1} are in none of them; give every shard.`);
  return shards;
}

export async function mergeIndexes(options: MergeOptions): Promise<FullManifest> {
  const shards = checkShardSet(options.shards);
  const first = shards[0]!.manifest;
  prepareOutDir(options.outDir, options.overwrite);
  const staging = join(options.outDir, MERGE_DIR);
  rmSync(staging, { recursive: true, force: true });
  const writer = new IndexFilesWriter(staging, first.dtype);
  try {
    for (const { dir } of shards) {
      const index = await DenseIndex.open(dir);
      try {
        for (let start = 0; start < index.count; start += BLOCK_ROWS) {
          const rows = Math.min(BLOCK_ROWS, index.count - start);
          const vectors = await index.readVectors(start, rows);
          const batch: PassageWithVector[] = [];
          for (let r = 0; r < rows; r++) {
            const p = await index.passage(start + r);
            batch.push({ id: p.id, title: p.title, text: p.text, vector: vectors.slice(r * index.dim, (r + 1) * index.dim) });
          }
          writer.append(batch);
        }
      } finally {
        await index.close();
      }
    }
    const written = writer.finish();
    return await finishIndex(options.outDir, staging, written, {
      kind: options.kind ?? indexKind(first),
      ...((options.hnsw ?? first.hnsw?.settings) !== undefined ? { hnsw: options.hnsw ?? first.hnsw!.settings } : {}),
      encoder: first.encoder,
    });
  } catch (e) {
    writer.close();
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
