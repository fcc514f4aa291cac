/**
 * Building an index straight from a context encoder's name: load the encoder (checking it is one),
 * embed the passages into `outDir` with `buildIndex`, and free the encoder.
 */
import type { DownloadProgress } from '../hub/options.js';
import { loadEncoder } from './encoders.js';
import { buildIndex, type BuildIndexOptions, type BuildIndexResult } from './index_writer.js';

export interface IndexCorpusOptions extends Omit<BuildIndexOptions, 'embedder' | 'tokenize' | 'encoder'> {
  /** A DPR context encoder: a directory or a hub id. */
  model: string;
  /** Encoder worker threads (see EmbedderOptions.workers). */
  workers?: number;
  /** Download progress while a hub id is fetched. */
  onDownloadProgress?: (event: DownloadProgress) => void;
}

export async function indexCorpus(options: IndexCorpusOptions): Promise<BuildIndexResult> {
  const { model, workers, onDownloadProgress, ...build } = options;
  const encoder = await loadEncoder(model, ['DPRContextEncoder'], {
    ...(workers !== undefined ? { workers } : {}),
    ...(onDownloadProgress !== undefined ? { onProgress: onDownloadProgress } : {}),
  });
  try {
    return await buildIndex({
      ...build,
      embedder: encoder.embedder,
      tokenize: (p) => encoder.tokenize(p.text, p.title),
      encoder: {
        model: encoder.model,
        architecture: 'DPRContextEncoder',
        config_sha256: encoder.configSha256,
        max_length: encoder.maxLength,
        ...(encoder.embedder.kernels !== undefined ? { kernels: encoder.embedder.kernels } : {}),
      },
    });
  } finally {
    await encoder.dispose();
  }
}
