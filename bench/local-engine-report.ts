/** Section 11 of the benchmark report: the embedded llama.cpp engine, a layer on one shared model or three, and one turn. */
import type { Machine } from "./report.js";
import type { LocalEngineResult, LocalEngineRow } from "./scenarios/local-engine.js";

/** Section 11: a layer of 3 calls on the embedded llama.cpp engine, one model shared or three, and one whole turn. */
export function localEngineSection(l: LocalEngineResult | undefined, machine: Machine): string {
  const title = "## 11. The embedded llama.cpp engine: one model for a layer, or three";
  if (!l) return `${title}\n\nNot measured yet: run \`npm run bench -- --only local-engine\`.\n`;
  const range = ([low, high]: [number, number]) => `${low}–${high}`;
  const rows = l.rows.map(
    (row) =>
      `| ${LOCAL_VARIANTS[row.variant]} | ${row.models} / ${row.contexts} | ${row.maxSequencesInUse} | ${row.decodeCalls ?? "?"} (${row.tokensPerDecode ?? "?"}) | ${row.wallMs} (${range(row.wallMsRange)}) | ${row.tokensPerSecond} (${range(row.tokensPerSecondRange)}) | ${row.cpuMs} | ${row.peakRssMb} (${range(row.peakRssMbRange)}) | **${row.wallRatio}** | **${row.tokensPerSecondRatio}** | **${row.peakRssRatio}** | ${row.loadMs} |`,
  );
  const byVariant = (variant: keyof typeof LOCAL_VARIANTS) => l.rows.find((row) => row.variant === variant);
  const [batched, sequential, copies] = [byVariant("batched"), byVariant("sequential"), byVariant("copies")];
  const t = l.turn;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return `${title}

\`ChatNodeLlamaCpp\` (and \`"llama-cpp:<path>"\` models) runs a GGUF model inside this process, on ${machine.cpu} (${machine.cores} cores) here. The
benchmark writes a model of ${l.model} (${l.modelMb} MB) into a temp directory, removed afterwards. Its
weights are random: the same tensors as the real model, so the same work and memory per token, but its answers
are gibberish, and it never ends an answer before \`maxTokens\`, so that every call generates exactly ${l.maxTokens} tokens. A layer
of ${l.calls} calls of the same prompt (${l.promptTokens} prompt tokens each; Self-MoA samples at temperature ${l.temperature}, seeds 1 to ${l.calls}) on the CPU
(\`gpu: false\`, \`threads: ${l.threads}\`: the default here, half the ${machine.cores} logical CPUs), \`contextSize: ${l.contextSize}\`, one context sequence per call, three ways:

- **batched**: one loaded model, the ${l.calls} calls at once on ${l.calls} sequences of one context, whose tokens node-llama-cpp decodes
  together: what the library does with a layer's proposers (here ${l.calls} \`ChatNodeLlamaCpp\` instances naming the same file);
- **sequential**: the same ${l.calls} calls one after another on that model (the baseline of the ratios);
- **copies**: the file copied to ${l.calls} paths, so that the library loads ${l.calls} models (a context of 1 sequence each), the calls at once.

Each variant runs in a process of its own, so that its memory is its alone, ${l.rounds} time${l.rounds === 1 ? "" : "s"} in rotating order; the figures are the
medians, with the lowest and highest round in brackets. Layer wall: from the ${l.calls} calls starting to the last answer, with
the model(s) loaded and warmed up by a short call before (last column; it includes starting node-llama-cpp, which
imports its native binding and tests it in a child process). Tokens/s: the ${l.calls} answers' tokens over that wall time (their
prompts' reading included). CPU: the process's, every thread, during the layer. Peak RSS: the process's highest
resident memory over its whole run (the kernel's high-water mark), which counts the weights as llama.cpp maps them
from the file. Models, contexts and sequences in use at once are read from the library's engine registry; the decode
calls (llama.cpp evaluations, all contexts) and the tokens in each (median) by wrapping node-llama-cpp's native context.

| variant | models / contexts | sequences at once | decode calls (tokens each) | layer wall (ms) | tokens/s | CPU (ms) | peak RSS (MB) | wall / sequential | tokens/s / sequential | RSS / sequential | load + warm-up (ms) |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

![a layer of 3 local calls against running them one after another](charts/local-engine.svg)
${
    batched && sequential && copies
      ? `
**Memory.** ${batched.models === 1 && batched.contexts === 1 && sequential.models === 1 ? "Sharing works: the" : "Sharing did not work as it should: the"} ${l.calls} calls of the shared variants ran on ${plural(batched.models, "model")} and ${plural(batched.contexts, "context")}, and their
process peaked at ${batched.peakRssMb} MB (batched) and ${sequential.peakRssMb} MB (sequential); three copies peaked at ${copies.peakRssMb} MB, ${copies.peakRssRatio} x as much,
since each copy maps its own file and has its own buffers.

**Time.** ${batchingNote(batched, sequential, l.calls)}
The copies' calls run on ${l.calls} threads at once (each context has its own), so on ${l.calls} idle cores they could approach a third
of the sequential time, at ${copies.peakRssRatio} x the memory; on ${machine.cores} cores shared with other jobs they took ${copies.wallRatio} x.
`
      : ""
  }
**One whole turn** (\`createMixtureOfAgents\` with a \`"llama-cpp:<path>"\` proposer of \`samples: ${l.calls}\`, 1 layer, and the same model as
aggregator, ${l.maxTokens} tokens each; library defaults but \`threads: ${l.threads}\`, \`gpu: false\` and \`contextSize: ${l.contextSize}\`) took ${seconds(t.wallMs)}: ${t.inputTokens} prompt
tokens and ${t.outputTokens} generated tokens over its ${l.calls + 1} calls (the aggregator reads the ${l.calls} answers as references), ${seconds(t.cpuMs)} of
CPU, with a peak of ${t.peakRssMb} MB (one run). All its calls ran on the engine loaded before the turn (in ${seconds(t.loadMs)}), up to ${t.maxSequencesInUse} of them at once.
`;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const tokens = (count: number | undefined) => (count === 1 ? "1 token" : `${count ?? "a few"} tokens`);

/** What the batched layer's time says, against the sequential one's. */
function batchingNote(batched: LocalEngineRow, sequential: LocalEngineRow, calls: number): string {
  const cpu = `${batched.cpuMs} ms of CPU against ${sequential.cpuMs}`;
  const verdict =
    batched.wallRatio < 0.9 ? `batching made the layer faster.` : `batching did not make the layer faster here.`;
  const split =
    batched.tokensPerDecode !== undefined && batched.tokensPerDecode < calls
      ? `
While the answers are written, node-llama-cpp 3.21.1 decodes ${tokens(batched.tokensPerDecode)} at a time, not ${calls}: its batch loop starts the
next decode as soon as one ends, before the sequence whose token was sampled last has queued its next one, so one
sequence in flight always waits for the next decode.`
      : "";
  const perDecode = (row: LocalEngineRow) => (row.decodeCalls ? row.cpuMs / row.decodeCalls : Number.NaN);
  const [batchedDecode, singleDecode] = [perDecode(batched), perDecode(sequential)];
  const perToken = Number.isFinite(batchedDecode / singleDecode)
    ? `
A decode of the batched layer cost ${Math.round(batchedDecode)} ms of CPU on average (its prompts' reading and the sampling included), one of
the sequential layer ${Math.round(singleDecode)} ms: on this CPU, llama.cpp decodes ${tokens(batched.tokensPerDecode)} at ${(batchedDecode / singleDecode).toFixed(1)} x the cost of one${
        batchedDecode / singleDecode > (batched.tokensPerDecode ?? calls) ? ", more than decoding them one by one" : ""
      },
so batching a few calls saves no CPU here. It should pay where a decode of a few tokens costs little more than one
(a GPU), or with many more calls at once.`
    : "";
  return `The batched layer took ${batched.wallRatio} x the sequential wall time, with ${cpu}: ${verdict}${split}${perToken}`;
}

const LOCAL_VARIANTS: Record<LocalEngineResult["rows"][number]["variant"], string> = { batched: "batched (shared)", sequential: "sequential (shared)", copies: "three copies" };
