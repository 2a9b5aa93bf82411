import type { CallRef } from "./usage.js";

/** A call that answered, with what it cost (absent when its model has no price or it reported no usage). */
export interface CallCost extends CallRef {
  readonly cost?: number;
}

/**
 * The cost of several calls, in the prices' currency. `cost` is absent when no call had one (unknown, not
 * zero); `costMissing` names the calls that answered without a cost, and is absent when every call had one.
 */
export interface CostTotal {
  /** The cost summed over the calls that had one. */
  readonly cost?: number;
  /** The calls that answered without a cost, in order; `cost` leaves them out. */
  readonly costMissing?: readonly CallRef[];
}

/** Sums the cost of `calls` and names the calls that had none. */
export function totalCost(calls: readonly CallCost[]): CostTotal {
  return sumCosts(calls.map(({ id, layer, cost }) => (cost === undefined ? { costMissing: [{ id, layer }] } : { cost })));
}

/** The total of several totals (a turn's layers and its aggregator calls). */
export function sumCosts(totals: readonly CostTotal[]): CostTotal {
  const costs = totals.flatMap((total) => (total.cost === undefined ? [] : [total.cost]));
  const missing = totals.flatMap((total) => total.costMissing ?? []);
  return Object.assign({}, costs.length > 0 ? { cost: costs.reduce((sum, cost) => sum + cost) } : undefined, missing.length > 0 ? { costMissing: missing } : undefined);
}
