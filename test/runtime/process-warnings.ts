/** Test helper: the listener-leak warnings a piece of work causes. */
import { getEventListeners, getMaxListeners } from "node:events";

/**
 * Runs `work` and returns the messages of the `MaxListenersExceededWarning`s it causes: the process
 * warnings Node emitted meanwhile (and in the ticks right after it: Node emits a warning on the next tick),
 * plus every `addEventListener` that took an `EventTarget` (an `AbortSignal`) past its max listeners.
 *
 * The second is Node's own condition for the warning, checked at each call, so that an overflow counts even
 * where the warning itself would come later than the ticks waited for. (Node 24 sets no limit on an
 * `AbortSignal` unless `setMaxListeners` gives one: there, signals cannot overflow.)
 */
/** The max listeners of `target`, 0 for no limit (Node throws instead of answering 0 after `setMaxListeners(0, target)`). */
function maxListeners(target: EventTarget): number {
  try {
    return getMaxListeners(target);
  } catch {
    return 0;
  }
}

export async function warningsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === "MaxListenersExceededWarning") seen.push(warning.message);
  };
  const overflowed = new WeakSet<EventTarget>();
  const add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (this: EventTarget, type, listener, options) {
    add.call(this, type, listener, options);
    const max = maxListeners(this);
    const count = getEventListeners(this, type).length;
    if (max > 0 && count > max && !overflowed.has(this)) {
      overflowed.add(this);
      seen.push(`${count} ${type} listeners added to [${this.constructor.name}]. MaxListeners is ${max}.`);
    }
  };
  process.on("warning", onWarning);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
    EventTarget.prototype.addEventListener = add;
  }
  return [...new Set(seen.map((message) => message.replace(/^Possible EventTarget memory leak detected\. /, "").replace(/ Use events\.setMaxListeners.*$/, "")))];
}
