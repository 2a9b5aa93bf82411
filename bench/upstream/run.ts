/**
 * Runs every reproduction in this folder, each in its own process on the Node.js running this script,
 * one after the other, and prints a markdown table: cause | µs per task | share of a bare task |
 * upstream fix.
 *
 *   node --import tsx bench/upstream/run.ts                      # all of them
 *   node --import tsx bench/upstream/run.ts --only run-tree,uuid # some (bare-graph always runs)
 *   node --import tsx bench/upstream/run.ts --json out.json      # also save the results
 *   node --import tsx bench/upstream/run.ts --merge a.json b.json c.json  # one table, a column per Node
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { Finding } from "./harness.js";

/** In table order; `bare-graph` is the yardstick the others are compared with. */
export const REPRODUCTIONS = ["bare-graph", "run-tree", "env-reads", "uuid", "callback-manager", "config-merge", "async-context", "checkpoint-load"];

interface Run {
  node: string;
  cpu: string;
  cores: number;
  findings: Finding[];
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

function runOne(id: string): Finding {
  const file = fileURLToPath(new URL(`./${id}.ts`, import.meta.url));
  const child = spawnSync(process.execPath, ["--import", "tsx", file, "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = child.stdout
    .trim()
    .split("\n")
    .reverse()
    .find((text) => text.startsWith("{"));
  if (child.status !== 0 || line === undefined) throw new Error(`${id} failed (exit ${child.status})`);
  return JSON.parse(line) as Finding;
}

const format = (us: number): string => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));
const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;

function bareTask(run: Run): number {
  const bare = run.findings.find((finding) => finding.id === "bare-graph");
  if (!bare) throw new Error(`no bare-graph result for Node ${run.node}`);
  return bare.us;
}

/** A finding's share of a bare task; one measured as an A/B of the bare graph is compared with the bare task of its own run. */
function share(run: Run, finding: Finding): number {
  return finding.us / (finding.bare ?? bareTask(run));
}

/** The per-task rows (everything but the yardstick and the per-message row): µs and shares, summed. */
function perTaskSum(run: Run): { us: number; share: number } {
  const rows = run.findings.filter((finding) => finding.unit === "task" && finding.id !== "bare-graph");
  return { us: rows.reduce((sum, finding) => sum + finding.us, 0), share: rows.reduce((sum, finding) => sum + share(run, finding), 0) };
}

function table(runs: Run[]): string {
  const ids = REPRODUCTIONS.filter((id) => runs.some((run) => run.findings.some((finding) => finding.id === id)));
  const header = ["cause", "per", ...runs.flatMap((run) => [`µs, Node ${run.node}`, "share of a bare task"]), "upstream fix"];
  const rows = ids.map((id) => {
    const first = runs.flatMap((run) => run.findings).find((finding) => finding.id === id)!;
    const cells = runs.flatMap((run) => {
      const finding = run.findings.find((candidate) => candidate.id === id);
      if (!finding) return ["–", "–"];
      return [format(finding.us), id === "bare-graph" ? "100 %" : percent(share(run, finding))];
    });
    return [first.cause, first.unit, ...cells, first.fix];
  });
  const sums = runs.flatMap((run) => [format(perTaskSum(run).us), percent(perTaskSum(run).share)]);
  rows.push(["sum of the per-task rows (the bare task excluded)", "task", ...sums, ""]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function machine(run: Run): string {
  return `${run.cpu}, ${run.cores} cores`;
}

const merge = process.argv.indexOf("--merge");
if (merge !== -1) {
  const runs = process.argv.slice(merge + 1).map((file) => JSON.parse(readFileSync(file, "utf8")) as Run);
  console.log(`Machine: ${[...new Set(runs.map(machine))].join("; ")}\n`);
  console.log(table(runs));
} else {
  const only = option("--only")?.split(",");
  const ids = REPRODUCTIONS.filter((id) => id === "bare-graph" || !only || only.includes(id));
  const run: Run = { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, findings: [] };
  for (const id of ids) {
    process.stderr.write(`${id} (Node ${process.version})\n`);
    run.findings.push(runOne(id));
  }
  const out = option("--json");
  if (out) writeFileSync(out, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`Machine: ${machine(run)}\n`);
  console.log(table([run]));
}
