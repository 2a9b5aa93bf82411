import { median } from "../tools/quantile.js";

/**
 * The reference implementations' figures at the shapes of the overhead section: AgentScope 0.1.6's
 * `MixtureOfAgents` and the LlamaIndex MoA pack (Python), measured side by side with this library on
 * Node 20.20 against one neutral OpenAI-compatible server in its own process on loopback (fixed model
 * latency, interleaved blocks). They are not re-run by `npm run bench`, which needs no Python.
 */
export interface PeerFigures {
  readonly proposers: number;
  readonly layers: number;
  /** Client CPU ms per turn, zero model latency. */
  readonly cpuMsPerTurn: { readonly agentscope: number; readonly llamaindex: number };
  /** Median wall time / critical path, 100 ms per model call. */
  readonly wallRatio: { readonly agentscope: number; readonly llamaindex: number };
  /** The raw `openai` client + `Promise.all` (Node 20) in the same run: the yardstick of that machine's speed. */
  readonly rawFloor: { readonly cpuMsPerTurn: number; readonly wallRatio: number };
}

/** The peers' figures, by shape. */
export const PEER_FIGURES: readonly PeerFigures[] = [
  { proposers: 3, layers: 1, cpuMsPerTurn: { agentscope: 12.6, llamaindex: 11.2 }, wallRatio: { agentscope: 1.085, llamaindex: 1.069 }, rawFloor: { cpuMsPerTurn: 4.5, wallRatio: 1.038 } },
  { proposers: 3, layers: 2, cpuMsPerTurn: { agentscope: 21.3, llamaindex: 17.2 }, wallRatio: { agentscope: 1.096, llamaindex: 1.087 }, rawFloor: { cpuMsPerTurn: 8.1, wallRatio: 1.038 } },
  { proposers: 6, layers: 2, cpuMsPerTurn: { agentscope: 44.4, llamaindex: 32.0 }, wallRatio: { agentscope: 1.159, llamaindex: 1.8 }, rawFloor: { cpuMsPerTurn: 11.5, wallRatio: 1.058 } },
  { proposers: 12, layers: 3, cpuMsPerTurn: { agentscope: 122.0, llamaindex: 84.3 }, wallRatio: { agentscope: 2.036, llamaindex: 2.77 }, rawFloor: { cpuMsPerTurn: 22.2, wallRatio: 1.086 } },
];

/** The best (lowest) peer figures for a shape. */
export interface BestPeer {
  readonly cpuMsPerTurn: number;
  readonly wallRatio: number;
}

/** How much slower a machine is than the peers' run: factors for CPU and for the overhead over the critical path. */
export interface MachineScale {
  readonly cpu: number;
  readonly wallOverhead: number;
}

/**
 * The scale of a machine whose Node 20 raw-client floor at each shape is `floors`: the median over the
 * shapes of the ratio of its floor to the peers' run's (CPU ms per turn; wall ratio - 1). One factor for
 * all shapes, as the floor at a single shape is itself noisy on a shared machine.
 */
export function machineScale(floors: ReadonlyArray<{ proposers: number; layers: number; cpuMsPerTurn: number; wallRatio: number }>): MachineScale | undefined {
  const pairs = floors.flatMap((floor) => {
    const peer = PEER_FIGURES.find((p) => p.proposers === floor.proposers && p.layers === floor.layers);
    return peer ? [{ cpu: floor.cpuMsPerTurn / peer.rawFloor.cpuMsPerTurn, wall: (floor.wallRatio - 1) / (peer.rawFloor.wallRatio - 1) }] : [];
  });
  if (pairs.length === 0) return undefined;
  return { cpu: median(pairs.map((p) => p.cpu)), wallOverhead: median(pairs.map((p) => p.wall)) };
}

/** The best (lowest) peer figures for a shape, as measured or, given a machine's scale, scaled to it. */
export function bestPeer(proposers: number, layers: number, scale: MachineScale = { cpu: 1, wallOverhead: 1 }): BestPeer | undefined {
  const peer = PEER_FIGURES.find((p) => p.proposers === proposers && p.layers === layers);
  if (!peer) return undefined;
  const cpu = Math.min(peer.cpuMsPerTurn.agentscope, peer.cpuMsPerTurn.llamaindex);
  const wall = Math.min(peer.wallRatio.agentscope, peer.wallRatio.llamaindex);
  return { cpuMsPerTurn: Number((cpu * scale.cpu).toFixed(2)), wallRatio: Number((1 + (wall - 1) * scale.wallOverhead).toFixed(3)) };
}
