/**
 * What a model download shows on stderr: on a terminal, a progress bar redrawn in place (bytes, rate,
 * time left); elsewhere (a pipe, a log file), one line when the download starts and one when it ends.
 */

/** How far a download is, in bytes. */
export interface DownloadProgress {
  /** Bytes of the file on disk so far, bytes kept from an interrupted download included; never decreases. */
  readonly downloadedBytes: number;
  /** The file's size in bytes (0 while the server has not said). */
  readonly totalBytes: number;
}

/** Where a progress display writes: `process.stderr`, or a stand-in with the same fields. */
export interface ProgressOutput {
  /** Writes text as it is (the bar uses `\r` and the erase-line sequence `ESC [2K`). */
  write(text: string): unknown;
  /** A terminal: the bar is drawn in place. Otherwise one line at the start and one at the end. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters (80 when unknown). */
  readonly columns?: number;
}

/** The display of one download. */
export interface DownloadDisplay {
  /** Called on every progress event; redraws the bar at most every 100 ms. */
  update(progress: DownloadProgress): void;
  /** The download completed into `path`. */
  finish(path: string): void;
  /** The download stopped before its end (aborted, failed); the partial file is kept for a resume. */
  stop(): void;
}

/** Bytes in binary units: `512 B`, `1.5 KiB`, `12.0 MiB`, `3.42 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit]}`;
}

/** A duration in milliseconds as `m:ss` or `h:mm:ss`; `--:--` when unknown (not finite). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** The rate over the last few seconds of samples, in bytes per second (0 until two samples are apart). */
class RateMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  add(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  /** Bytes per second. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }
}

/**
 * One line of the bar, at most `columns - 1` characters wide:
 * `hf:user/repo:Q8_0 [=========>        ]  45%  5.40 MiB / 12.0 MiB  3.20 MiB/s  0:02 left`.
 * `rate` is in bytes per second (0: unknown).
 */
export function renderProgressLine(label: string, progress: DownloadProgress, rate: number, columns: number): string {
  const { downloadedBytes: done, totalBytes: total } = progress;
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const amounts = total > 0 ? `${formatBytes(done)} / ${formatBytes(total)}` : formatBytes(done);
  const speed = rate > 0 ? `${formatBytes(rate)}/s` : "";
  const left = rate > 0 && total > 0 ? `${formatDuration(((total - done) / rate) * 1000)} left` : "";
  const tail = [percent, amounts, speed, left].filter((part) => part !== "").join("  ");
  const width = Math.max(20, columns - 1);
  // label, a space, [bar], two spaces, tail: the bar shrinks (to 10) before the label is shortened.
  const fixed = tail.length + 5;
  const barWidth = Math.max(10, Math.min(30, width - fixed - label.length));
  const room = width - fixed - barWidth;
  if (room < 4) return `${percent}  ${amounts}`.slice(0, width);
  const filled = Math.floor(fraction * barWidth);
  const bar = `[${"=".repeat(Math.max(0, filled - 1))}${filled > 0 ? (filled === barWidth ? "=" : ">") : ""}${" ".repeat(barWidth - filled)}]`;
  // A long label loses its middle: `hf:bartowski/Ll…:Q4_K_M` keeps the user and the quantization.
  const head = Math.ceil((room - 1) / 2);
  const shown = label.length <= room ? label : `${label.slice(0, head)}…${label.slice(label.length - (room - 1 - head))}`;
  return `${shown} ${bar}  ${tail}`.slice(0, width);
}

/**
 * A display of the download of `label` (the model) on `output`: a bar when `output.isTTY`, else a line
 * at the start (the size; with `resumed`, a partial file being there, the bytes it starts from, to the
 * first network read) and one at the end. Nothing is written before the first progress event, so a file
 * that is already complete shows nothing. `now` (ms) is for tests.
 */
export function createDownloadDisplay(label: string, output: ProgressOutput, options: { resumed?: boolean; now?: () => number } = {}): DownloadDisplay {
  const now = options.now ?? Date.now;
  const meter = new RateMeter();
  let started: { at: number; bytes: number } | undefined;
  let last: DownloadProgress = { downloadedBytes: 0, totalBytes: 0 };
  let drawnAt = -Infinity;
  let drawn = false;

  const draw = () => {
    output.write(`\r\x1b[2K${renderProgressLine(label, last, meter.rate(), output.columns !== undefined && output.columns > 0 ? output.columns : 80)}`);
    drawn = true;
    drawnAt = now();
  };

  return {
    update(progress) {
      const at = now();
      last = progress;
      meter.add(at, progress.downloadedBytes);
      if (!started) {
        started = { at, bytes: progress.downloadedBytes };
        if (!output.isTTY) {
          const resumed = options.resumed ? `, resuming at ${formatBytes(progress.downloadedBytes)}` : "";
          output.write(`Downloading ${label} (${progress.totalBytes > 0 ? formatBytes(progress.totalBytes) : "size unknown"}${resumed})\n`);
        }
      }
      if (output.isTTY && at - drawnAt >= 100) draw();
    },
    finish(path) {
      if (!started) return;
      const elapsed = now() - started.at;
      const rate = elapsed > 0 ? ((last.downloadedBytes - started.bytes) * 1000) / elapsed : 0;
      if (output.isTTY) {
        draw();
        output.write("\n");
      }
      output.write(`Downloaded ${label} (${formatBytes(last.totalBytes || last.downloadedBytes)}) in ${formatDuration(elapsed)}${rate > 0 ? `, ${formatBytes(rate)}/s` : ""}: ${path}\n`);
    },
    stop() {
      if (!started) return;
      if (output.isTTY && drawn) output.write("\n");
      const of = last.totalBytes > 0 ? ` of ${formatBytes(last.totalBytes)}` : "";
      output.write(`Download of ${label} stopped at ${formatBytes(last.downloadedBytes)}${of}; calling again resumes it\n`);
    },
  };
}
