/**
 * Long synchronous work (counting the tokens of a large message) cut into slices of at most
 * {@link SLICE_MS}, with the event loop free between them: the work is a generator that yields when
 * {@link sliceDue} says its slice is over, and {@link inSlices} resumes it on a later turn of the loop.
 * Every piece of work run this way shares one clock, so that several calls counting at once take one
 * slice per turn of the loop between them, not one each.
 */

/** The longest a slice of work holds the event loop, in ms (give or take one step of the work). */
export const SLICE_MS = 10;

/** When the current slice ends (`performance.now()` time, ms). */
let sliceEndsAt = 0;
/** The next turn of the event loop, shared by every piece of work waiting for it. */
let nextTurn: Promise<void> | undefined;

/** Whether the current slice is over: the work should yield. */
export function sliceDue(): boolean {
  return performance.now() >= sliceEndsAt;
}

/** Runs `work` to its end now, without yielding to the event loop: for work known to be short. */
export function atOnce<T>(work: Generator<void, T, void>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs `work` in slices, each on its own turn of the event loop once the first is over. */
export async function inSlices<T>(work: Generator<void, T, void>): Promise<T> {
  const now = performance.now();
  // No work ran in slices lately: this work starts a slice. Otherwise it shares the one under way.
  if (now > sliceEndsAt + SLICE_MS) sliceEndsAt = now + SLICE_MS;
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    await turnOfTheLoop();
  }
}

function turnOfTheLoop(): Promise<void> {
  nextTurn ??= new Promise((resolve) =>
    setImmediate(() => {
      nextTurn = undefined;
      sliceEndsAt = performance.now() + SLICE_MS;
      resolve();
    }),
  );
  return nextTurn;
}
