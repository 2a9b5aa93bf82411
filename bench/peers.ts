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
}

/** The peers' figures, by shape. */
export const PEER_FIGURES: readonly PeerFigures[] = [
  { proposers: 3, layers: 1, cpuMsPerTurn: { agentscope: 12.6, llamaindex: 11.2 }, wallRatio: { agentscope: 1.085, llamaindex: 1.069 } },
  { proposers: 3, layers: 2, cpuMsPerTurn: { agentscope: 21.3, llamaindex: 17.2 }, wallRatio: { agentscope: 1.096, llamaindex: 1.087 } },
  { proposers: 6, layers: 2, cpuMsPerTurn: { agentscope: 44.4, llamaindex: 32.0 }, wallRatio: { agentscope: 1.159, llamaindex: 1.8 } },
  { proposers: 12, layers: 3, cpuMsPerTurn: { agentscope: 122.0, llamaindex: 84.3 }, wallRatio: { agentscope: 2.036, llamaindex: 2.77 } },
];

/** The best (lowest) peer figure for a shape. */
export function bestPeer(proposers: number, layers: number): { cpuMsPerTurn: number; wallRatio: number } | undefined {
  const peer = PEER_FIGURES.find((p) => p.proposers === proposers && p.layers === layers);
  if (!peer) return undefined;
  return { cpuMsPerTurn: Math.min(peer.cpuMsPerTurn.agentscope, peer.cpuMsPerTurn.llamaindex), wallRatio: Math.min(peer.wallRatio.agentscope, peer.wallRatio.llamaindex) };
}
