/** Runs one import in its own process, so a test can kill it with SIGKILL part-way. */
import { importIndex } from '../../src/retrieval/index_import.js';

const [outDir, passages, ...embeddings] = process.argv.slice(2);
await importIndex({ embeddings, passages: passages!, outDir: outDir!, kind: 'hnsw', overwrite: true });
process.stdout.write('done\n');
