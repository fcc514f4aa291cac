/**
 * `importIndex`: an index from embeddings computed elsewhere — DPR's published shards, `dpr encode`
 * JSONL, or .npy + ids — and the passages they were computed from (DPR's psgs_w100.tsv or JSONL),
 * so users skip encoding 21M passages. Rows follow the embedding files in the order given. The
 * files are staged in OUT/.import and the manifest written last: a failed or killed import
 * leaves no index a search accepts (a failed one also removes its staging directory).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { joinEmbeddingsWithPassages, type JoinOptions } from '../import/join.js';
import type { HnswSettings } from './hnsw_graph.js';
import { IndexFilesWriter, prepareOutDir, type PassageWithVector } from './index_files.js';
import { finishIndex } from './index_finish.js';
import type { EmbeddingDtype, IndexManifest } from './index_format.js';
import type { FullManifest, IndexKind } from './index_manifest.js';

export const IMPORT_DIR = '.import';
const BATCH_ROWS = 4096;

export interface ImportIndexOptions extends Omit<JoinOptions, 'onProgress'> {
  outDir: string;
  kind?: IndexKind;
  dtype?: EmbeddingDtype;
  hnsw?: Partial<HnswSettings>;
  /** What computed the vectors, recorded in the manifest (merge refuses indexes from different encoders). */
  encoder?: IndexManifest['encoder'];
  overwrite?: boolean;
  onProgress?(stage: 'passages' | 'embeddings' | 'graph', done: number): void;
}

export const IMPORTED_ENCODER: IndexManifest['encoder'] = {
  model: 'imported',
  architecture: 'DPRContextEncoder',
  config_sha256: '',
  max_length: 0,
};

export async function importIndex(options: ImportIndexOptions): Promise<FullManifest> {
  const { outDir } = options;
  prepareOutDir(outDir, options.overwrite);
  const staging = join(outDir, IMPORT_DIR);
  rmSync(staging, { recursive: true, force: true });
  const writer = new IndexFilesWriter(staging, options.dtype ?? 'float32');
  try {
    let batch: PassageWithVector[] = [];
    const rows = joinEmbeddingsWithPassages({ ...options, onProgress: (stage, done) => options.onProgress?.(stage, done) });
    for await (const row of rows) {
      batch.push(row);
      if (batch.length === BATCH_ROWS) {
        writer.append(batch);
        batch = [];
      }
    }
    writer.append(batch);
    const written = writer.finish();
    return await finishIndex(outDir, staging, written, {
      kind: options.kind ?? 'flat',
      ...(options.hnsw !== undefined ? { hnsw: options.hnsw } : {}),
      encoder: options.encoder ?? IMPORTED_ENCODER,
      onGraphProgress: (done) => options.onProgress?.('graph', done),
    });
  } catch (e) {
    writer.close();
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
