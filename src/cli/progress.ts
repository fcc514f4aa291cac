/**
 * A one-line progress bar on stderr — `label  [#####-----]  done/total unit  rate  ETA` — for
 * downloads (bytes, shown in MB) and for counted work such as passages encoded by `index build`.
 * Drawn only when the stream is a terminal: piped or redirected stderr (CI logs, `2> file`) gets
 * nothing, so output stays clean there. stdout is never touched.
 */
import type { DownloadProgress } from '../hub/options.js';

/** What a progress bar writes to: process.stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressState {
  label: string;
  done: number;
  /** Unknown totals show no bar and no ETA. */
  total: number | undefined;
  /** 'bytes' is shown in MB; any other unit is shown as a count, e.g. 'passages'. */
  unit: string;
  /** Units per second, when known. */
  rate: number | undefined;
}

const BAR_WIDTH = 20;
const MB = 1024 * 1024;

function formatAmount(value: number, unit: string): string {
  return unit === 'bytes' ? (value / MB).toFixed(1) : String(Math.round(value));
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The text of one progress line (no cursor control), e.g. `model.safetensors  [####------]  1.2/3.4 MB  2.0 MB/s  ETA 0:01`. */
export function formatProgress(state: ProgressState): string {
  const { label, done, total, unit, rate } = state;
  const unitName = unit === 'bytes' ? 'MB' : unit;
  const parts = [label];
  if (total !== undefined && total > 0) {
    const filled = Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH));
    parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
    parts.push(`${formatAmount(done, unit)}/${formatAmount(total, unit)} ${unitName}`);
  } else {
    parts.push(`${formatAmount(done, unit)} ${unitName}`);
  }
  if (rate !== undefined && rate > 0 && Number.isFinite(rate)) {
    parts.push(unit === 'bytes' ? `${(rate / MB).toFixed(1)} MB/s` : `${rate.toFixed(rate < 10 ? 1 : 0)} ${unit}/s`);
    if (total !== undefined && total > done) parts.push(`ETA ${formatDuration((total - done) / rate)}`);
  }
  return parts.join('  ');
}

export interface ProgressBarOptions {
  label: string;
  total?: number | undefined;
  unit?: string;
  stream?: ProgressStream;
  /** Redraw at most this often (ms). Default 100. */
  minIntervalMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export class ProgressBar {
  private readonly label: string;
  private readonly unit: string;
  private readonly stream: ProgressStream;
  private readonly enabled: boolean;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly started: number;
  private total: number | undefined;
  private done = 0;
  /** Measures the rate from here, so a resumed download does not count bytes it already had. */
  private rateBase: { at: number; done: number } | undefined;
  private lastDraw = -Infinity;
  private finished = false;

  constructor(options: ProgressBarOptions) {
    this.label = options.label;
    this.unit = options.unit ?? 'bytes';
    this.stream = options.stream ?? process.stderr;
    this.enabled = this.stream.isTTY === true;
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.total = options.total;
  }

  update(done: number, total?: number): void {
    if (this.finished) return;
    if (total !== undefined) this.total = total;
    this.rateBase ??= { at: this.now(), done };
    this.done = done;
    const now = this.now();
    if (now - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = now;
    this.draw(false);
  }

  /** Draws the final state and ends the line. */
  finish(done?: number): void {
    if (this.finished) return;
    if (done !== undefined) this.done = done;
    this.finished = true;
    this.draw(true);
  }

  private draw(final: boolean): void {
    if (!this.enabled) return;
    const base = this.rateBase ?? { at: this.started, done: 0 };
    const seconds = (this.now() - base.at) / 1000;
    const shown = formatProgress({
      label: this.label,
      done: this.done,
      total: this.total,
      unit: this.unit,
      rate: seconds > 0 && this.done > base.done ? (this.done - base.done) / seconds : undefined,
    });
    const width = this.stream.columns;
    const line = width !== undefined && width > 1 && shown.length >= width ? shown.slice(0, width - 1) : shown;
    this.stream.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
  }
}

/**
 * An `onProgress` for fromPretrained that draws one bar per file on `stream` (stderr by default,
 * only when it is a terminal).
 */
export function hubProgressReporter(stream: ProgressStream = process.stderr, now?: () => number): (event: DownloadProgress) => void {
  const bars = new Map<string, ProgressBar>();
  return (event) => {
    const key = `${event.repoId}/${event.file}/${event.phase}`;
    let bar = bars.get(key);
    if (bar === undefined) {
      const label = event.phase === 'convert' ? `converting ${event.file}` : event.file;
      bar = new ProgressBar({ label, total: event.bytesTotal, unit: 'bytes', stream, ...(now ? { now } : {}) });
      bars.set(key, bar);
    }
    if (event.done) {
      bar.finish(event.bytesDone);
      bars.delete(key);
    } else {
      bar.update(event.bytesDone, event.bytesTotal);
    }
  };
}
