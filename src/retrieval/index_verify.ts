/**
 * `verifyIndex`: checks every file of an index against the checksums recorded when it was
 * written, so a truncated or bit-flipped index is reported — never searched silently. Reads
 * every byte (minutes for a Wikipedia-sized index; LocalIndex.open checks only sizes and small
 * files, see local_index.ts).
 */
import { join } from 'node:path';
import { checkFile } from '../io/checksums.js';
import { readIndexManifest } from './index_manifest.js';

export interface VerifyReport {
  /** Files checked, with what is wrong with each (empty when it matches). */
  files: Array<{ file: string; bytes: number; problems: string[] }>;
  ok: boolean;
}

export async function verifyIndex(dir: string): Promise<VerifyReport> {
  const manifest = readIndexManifest(dir);
  const files: VerifyReport['files'] = [];
  const recorded = manifest.checksums ?? {};
  const expected = [
    manifest.files.embeddings,
    manifest.files.passages,
    manifest.files.offsets,
    ...(manifest.hnsw ? [manifest.hnsw.file] : []),
  ];
  for (const file of expected) {
    const record = recorded[file];
    if (record === undefined) {
      files.push({
        file,
        bytes: 0,
        problems: ['has no checksum recorded (the index was written before checksums existed; rebuild it to be able to verify it)'],
      });
      continue;
    }
    files.push({ file, bytes: record.bytes, problems: await checkFile(join(dir, file), record) });
  }
  return { files, ok: files.every((f) => f.problems.length === 0) };
}
