/**
 * Proposal texts of the turns this browser watched, kept in `localStorage` by turn id: a thread stores no
 * proposal text (only the trace), so after a reload the page shows the texts it saw. Other browsers see
 * each proposal's outcome, time and tokens without its text.
 */
import type { ProposalTexts } from "./turn-calls.js";

const PREFIX = "moa-playground:texts:";
/** Turns kept at most; the oldest go first. */
const KEPT_TURNS = 200;
const ORDER_KEY = "moa-playground:texts-order";

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** The texts kept for turn `turnId`, or none. */
export function keptTexts(turnId: string): ProposalTexts {
  try {
    return JSON.parse(storage()?.getItem(PREFIX + turnId) ?? "{}") as ProposalTexts;
  } catch {
    return {};
  }
}

/** Keeps `texts` for turn `turnId`, dropping the oldest turns past {@link KEPT_TURNS}. A full or missing storage keeps nothing. */
export function keepTexts(turnId: string, texts: ProposalTexts): void {
  const store = storage();
  if (store === undefined || Object.keys(texts).length === 0) return;
  try {
    const order = (JSON.parse(store.getItem(ORDER_KEY) ?? "[]") as string[]).filter((id) => id !== turnId);
    order.push(turnId);
    while (order.length > KEPT_TURNS) store.removeItem(PREFIX + order.shift());
    store.setItem(PREFIX + turnId, JSON.stringify(texts));
    store.setItem(ORDER_KEY, JSON.stringify(order));
  } catch {
    // A full storage: the texts are shown now and not after a reload.
  }
}
