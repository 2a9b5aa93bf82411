import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { library } from "../library.js";
import { bareLangGraph, bareLangGraphOneTaskPerLayer } from "../implementations/bare-langgraph.js";
import { chatOpenAIModels } from "../implementations/chat-openai.js";
import { QUESTION, type Shape, type Target } from "../implementations/shape.js";
import { startModelServerProcess } from "../server-process.js";
import { progress, type Size } from "../setup.js";
import { cpuMs, median, round } from "../stats.js";

const { MixtureOfAgents, createMixtureOfAgents } = library;

/** The CPU per turn of one way of running a turn. */
export interface SettingRow {
  /** What was varied. */
  group: string;
  /** The setting. */
  setting: string;
  /** Whether it is what this library does (or a caller gets) by default. */
  isDefault: boolean;
  cpuMsPerTurn: number;
  /** Against the group's default. */
  ratio: number;
}

/** One run of the settings scenario, on one Node version. */
export interface SettingsRun {
  node: string;
  /** When it was measured (ISO 8601); absent from results written before it was recorded. */
  date?: string;
  quick: boolean;
  shape: Shape;
  turns: number;
  rows: SettingRow[];
}

interface Variant {
  group: string;
  setting: string;
  isDefault: boolean;
  turn: () => Promise<unknown>;
}

const SHAPE: Shape = { proposers: 3, layers: 2 };
const SIZES: Record<Size, { warmUp: number; blocks: number; turnsPerBlock: number }> = {
  full: { warmUp: 20, blocks: 20, turnsPerBlock: 5 },
  quick: { warmUp: 1, blocks: 1, turnsPerBlock: 2 },
};

const question = () => ({ messages: [new HumanMessage(QUESTION)] });

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}

/** The ways of running the same 3 x 2 turn that LangGraph and LangChain let a caller choose. */
function variants(target: Target): Variant[] {
  const options = () => ({ ...chatOpenAIModels(target, SHAPE), layers: SHAPE.layers });
  const graph = createMixtureOfAgents(options());
  const moa = new MixtureOfAgents(options());
  const handler = BaseCallbackHandler.fromMethods({ handleLLMEnd: () => undefined });
  let thread = 0;
  const saved = (durability: "async" | "sync" | "exit") => {
    const checkpointed = createMixtureOfAgents({ ...options(), checkpointer: new MemorySaver() });
    // A thread per turn, so that a turn's cost does not include reading a long thread back.
    return () => checkpointed.invoke(question(), { configurable: { thread_id: `t${thread++}` }, durability });
  };
  return [
    { group: "how the turn is run", setting: "`graph.invoke` (stream mode `values`)", isDefault: true, turn: () => graph.invoke(question()) },
    { group: "how the turn is run", setting: "`graph.stream`, `updates`", isDefault: false, turn: async () => drain(await graph.stream(question(), { streamMode: "updates" })) },
    { group: "how the turn is run", setting: "`graph.stream`, `messages` (every model streams)", isDefault: false, turn: async () => drain(await graph.stream(question(), { streamMode: "messages" })) },
    { group: "how the turn is run", setting: "`MixtureOfAgents.invoke` (the chat model)", isDefault: false, turn: () => moa.invoke(question().messages) },
    { group: "callbacks", setting: "none", isDefault: true, turn: () => graph.invoke(question()) },
    { group: "callbacks", setting: "one handler (`handleLLMEnd`)", isDefault: false, turn: () => graph.invoke(question(), { callbacks: [handler] }) },
    { group: "checkpointer durability (`MemorySaver`)", setting: "`exit`", isDefault: true, turn: saved("exit") },
    { group: "checkpointer durability (`MemorySaver`)", setting: "`async`", isDefault: false, turn: saved("async") },
    { group: "checkpointer durability (`MemorySaver`)", setting: "`sync`", isDefault: false, turn: saved("sync") },
    { group: "tasks per layer (bare LangGraph)", setting: "a task per proposer (`Send`) + a join", isDefault: true, turn: bareLangGraph.create(target, SHAPE) },
    { group: "tasks per layer (bare LangGraph)", setting: "one task per layer (`Promise.all` in the node)", isDefault: false, turn: bareLangGraphOneTaskPerLayer.create(target, SHAPE) },
  ];
}


/**
 * Client CPU per turn (3 proposers x 2 layers, models answering at once, the model server in its own
 * process) for each setting a caller can change, the settings of a group taking turns block by block;
 * the median block counts.
 */
export async function settings(size: Size): Promise<SettingsRun> {
  const { warmUp, blocks, turnsPerBlock } = SIZES[size];
  const server = await startModelServerProcess();
  const all = variants({ baseURL: `${server.url}/v1`, model: "instant" });
  const perBlock = new Map<Variant, number[]>(all.map((variant) => [variant, []]));
  const groups = [...new Set(all.map((variant) => variant.group))];
  try {
    for (const [g, group] of groups.entries()) {
      const members = all.filter((variant) => variant.group === group);
      for (const { turn } of members) for (let i = 0; i < warmUp; i++) await turn();
      for (let block = 0; block < blocks; block++) {
        for (const variant of block % 2 === 0 ? members : [...members].reverse()) {
          const before = cpuMs();
          for (let i = 0; i < turnsPerBlock; i++) await variant.turn();
          perBlock.get(variant)?.push((cpuMs() - before) / turnsPerBlock);
        }
      }
      progress("settings", g + 1, groups.length);
    }
  } finally {
    await server.close();
  }
  const turns = blocks * turnsPerBlock;
  const perTurn = (variant: Variant) => median(perBlock.get(variant) ?? []);
  const rows = all.map((variant): SettingRow => {
    const base = all.find((other) => other.group === variant.group && other.isDefault) ?? variant;
    return { group: variant.group, setting: variant.setting, isDefault: variant.isDefault, cpuMsPerTurn: round(perTurn(variant), 2), ratio: round(perTurn(variant) / perTurn(base), 3) };
  });
  return { node: process.version, date: new Date().toISOString(), quick: size === "quick", shape: SHAPE, turns, rows };
}
