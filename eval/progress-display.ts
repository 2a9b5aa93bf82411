/**
 * Shows a run's progress on stderr: one line redrawn in place on a terminal, a line per 5 % (and per
 * stage) when the output is a file or a pipe.
 */
import { duration } from "./format-numbers.js";
import type { ProgressSnapshot } from "./progress.js";

const STAGE_NAMES: Record<ProgressSnapshot["stage"], string> = {
  answering: "answering and rating",
  comparing: "MoA vs best single",
};

/** One progress line, e.g. `answering and rating  142/480  30% [######--------------]  2 failed · 40 cached · ETA 4m 05s`. */
export function formatProgress(snapshot: ProgressSnapshot, width = 20): string {
  const fraction = snapshot.total === 0 ? 1 : snapshot.done / snapshot.total;
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
  const details = [
    `${snapshot.failed} failed`,
    ...(snapshot.cached > 0 ? [`${snapshot.cached} cached`] : []),
    ...(snapshot.skipped > 0 ? [`${snapshot.skipped} skipped`] : []),
    ...(snapshot.unreadable > 0 ? [`${snapshot.unreadable} unreadable`] : []),
    snapshot.done === snapshot.total ? "done" : snapshot.etaMs === undefined ? "ETA …" : `ETA ${duration(snapshot.etaMs)}`,
  ];
  return `${STAGE_NAMES[snapshot.stage].padEnd(20)} ${snapshot.done}/${snapshot.total} ${String(Math.floor(fraction * 100)).padStart(3)}% ${bar}  ${details.join(" · ")}`;
}

/** A progress callback that writes to `stream`; call `finish` to end the line. */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): { update: (snapshot: ProgressSnapshot) => void; finish: () => void } {
  let lastStep = -1;
  let lastStage: ProgressSnapshot["stage"] | undefined;
  let drawn = false;
  let lastDraw = 0;
  let pending: ProgressSnapshot | undefined;
  return {
    update(snapshot) {
      if (stream.isTTY) {
        pending = snapshot;
        // Redrawing every few hundred milliseconds is enough for the eye and spares a slow terminal.
        if (Date.now() - lastDraw < 200 && snapshot.done !== snapshot.total && snapshot.stage === lastStage) return;
        lastStage = snapshot.stage;
        lastDraw = Date.now();
        stream.write(`\r\x1b[2K${formatProgress(snapshot)}`);
        drawn = true;
        return;
      }
      const step = snapshot.total === 0 ? 20 : Math.floor((snapshot.done / snapshot.total) * 20);
      if (step === lastStep && snapshot.stage === lastStage) return;
      lastStep = step;
      lastStage = snapshot.stage;
      stream.write(`${formatProgress(snapshot)}\n`);
    },
    finish() {
      if (stream.isTTY && drawn) stream.write(`\r\x1b[2K${pending ? formatProgress(pending) : ""}\n`);
    },
  };
}
