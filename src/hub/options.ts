/**
 * Options shared by every `fromPretrained` — the same knobs as transformers' `from_pretrained`
 * (`revision`, `cache_dir`, `local_files_only`, `token`), plus a progress callback.
 */

/** One progress report for one file. `bytesTotal` is undefined when the server did not say. */
export interface DownloadProgress {
  repoId: string;
  file: string;
  bytesDone: number;
  bytesTotal: number | undefined;
  /** 'download' while bytes arrive; 'convert' while pytorch_model.bin is converted; true at the end. */
  phase: 'download' | 'convert';
  done: boolean;
}

export interface PretrainedOptions {
  /** Branch, tag or 40-hex commit. Default 'main'. */
  revision?: string;
  /** Hub cache root. Default $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Never touch the network; use only the cache. Also on when HF_HUB_OFFLINE=1. */
  localFilesOnly?: boolean;
  /** Bearer token for gated or private repos. Default $HF_TOKEN, else the token file
   * huggingface-cli login writes ($HF_TOKEN_PATH, else $HF_HOME/token). `false` sends none. */
  token?: string | false;
  onProgress?: (event: DownloadProgress) => void;
  /** Hub base URL. Default $HF_ENDPOINT, else https://huggingface.co. */
  endpoint?: string;
}

const PRETRAINED_KEYS = ['revision', 'cacheDir', 'localFilesOnly', 'token', 'onProgress', 'endpoint'] as const;

/**
 * Separates the hub options from the rest of a `fromPretrained` options object (e.g. a
 * tokenizer's `do_lower_case`), so each part goes where it belongs.
 */
export function splitPretrainedOptions<T extends PretrainedOptions>(
  options: T,
): { hub: PretrainedOptions; rest: Omit<T, keyof PretrainedOptions> } {
  const hub: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((PRETRAINED_KEYS as readonly string[]).includes(key)) hub[key] = value;
    else rest[key] = value;
  }
  return { hub: hub as PretrainedOptions, rest: rest as Omit<T, keyof PretrainedOptions> };
}
