/**
 * The environment variables huggingface_hub reads (constants.py), read the same way so one
 * setting steers Python and tfjs-dpr alike. Each takes `env` so tests need not touch process.env.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** huggingface_hub's `_is_true`: "1", "ON", "YES", "TRUE", any case. */
export function envFlag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

/** $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface. */
export function hfHome(env: Env = process.env): string {
  const home = nonEmpty(env['HF_HOME']);
  if (home !== undefined) return expandHome(home);
  return join(expandHome(nonEmpty(env['XDG_CACHE_HOME']) ?? '~/.cache'), 'huggingface');
}

/** $HF_HUB_CACHE (or its old name $HUGGINGFACE_HUB_CACHE), else $HF_HOME/hub. */
export function hubCacheDir(env: Env = process.env): string {
  const explicit = nonEmpty(env['HF_HUB_CACHE']) ?? nonEmpty(env['HUGGINGFACE_HUB_CACHE']);
  return explicit !== undefined ? expandHome(explicit) : join(hfHome(env), 'hub');
}

export function hubEndpoint(env: Env = process.env): string {
  return (nonEmpty(env['HF_ENDPOINT']) ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

export function hubOffline(env: Env = process.env): boolean {
  return envFlag(env['HF_HUB_OFFLINE']);
}

/**
 * $HF_TOKEN (or the older $HUGGING_FACE_HUB_TOKEN), else the file `huggingface-cli login` wrote
 * ($HF_TOKEN_PATH, else $HF_HOME/token), else none.
 */
export function hubToken(env: Env = process.env): string | undefined {
  const fromEnv = nonEmpty(env['HF_TOKEN']) ?? nonEmpty(env['HUGGING_FACE_HUB_TOKEN']);
  if (fromEnv !== undefined) return fromEnv.trim();
  const path = expandHome(nonEmpty(env['HF_TOKEN_PATH']) ?? join(hfHome(env), 'token'));
  if (!existsSync(path)) return undefined;
  return nonEmpty(readFileSync(path, 'utf8').trim());
}

function seconds(value: string | undefined, fallback: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** $HF_HUB_ETAG_TIMEOUT: seconds to wait for the metadata (HEAD) answer. Default 10, as HF. */
export function hubEtagTimeoutMs(env: Env = process.env): number {
  return seconds(env['HF_HUB_ETAG_TIMEOUT'], 10) * 1000;
}

/** $HF_HUB_DOWNLOAD_TIMEOUT: seconds a download may go without data. Default 10, as HF. */
export function hubDownloadTimeoutMs(env: Env = process.env): number {
  return seconds(env['HF_HUB_DOWNLOAD_TIMEOUT'], 10) * 1000;
}
