/**
 * A one-line progress bar on stderr: files and bytes done, rate and time left. Drawn only on a
 * terminal (never into a pipe or a log) and not with --quiet; redrawn at most ten times a second.
 */
import { isTerminal } from '../io/builtins.js';
import { formatBytes } from '../report/format.js';

export interface ProgressOptions {
  enabled: boolean;
  totalFiles: number;
  totalBytes: number;
  stream?: NodeJS.WriteStream;
}

export class Progress {
  private files = 0;
  private bytes = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  constructor(private readonly options: ProgressOptions) {}

  /** process.stderr only when a bar is drawn: creating it costs a run that draws none (see output.ts). */
  private get stream(): NodeJS.WriteStream {
    return this.options.stream ?? process.stderr;
  }

  static shouldShow(quiet: boolean | undefined, stream?: NodeJS.WriteStream): boolean {
    const onTerminal = stream ? stream.isTTY === true : isTerminal(2);
    return !quiet && onTerminal && process.env.TERM !== 'dumb';
  }

  advance(bytes: number): void {
    this.files += 1;
    this.bytes += bytes;
    const now = Date.now();
    if (this.options.enabled && (now - this.lastDraw > 100 || this.files === this.options.totalFiles)) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  /** Clears the bar before a normal line is printed, so lines and bar do not mix. */
  clear(): void {
    if (this.options.enabled) this.stream.write('\r\u001b[2K');
  }

  redraw(): void {
    if (this.options.enabled) this.draw(Date.now());
  }

  finish(): void {
    this.clear();
  }

  private draw(now: number): void {
    const { totalFiles, totalBytes } = this.options;
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.bytes / seconds;
    const fraction = totalBytes > 0 ? this.bytes / totalBytes : totalFiles > 0 ? this.files / totalFiles : 1;
    const left = rate > 0 && totalBytes > this.bytes ? (totalBytes - this.bytes) / rate : 0;
    const width = 24;
    const filled = Math.round(Math.min(1, fraction) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
    const line = `[${bar}] ${this.files}/${totalFiles} files  ${formatBytes(this.bytes)}/${formatBytes(totalBytes)}  ${formatBytes(rate)}/s  ${formatDuration(left)} left`;
    this.stream.write(`\r\u001b[2K${line}`);
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return '<1s';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
