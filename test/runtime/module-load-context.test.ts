/**
 * A module being loaded keeps the async context it was imported in, for as long as the module lives. The
 * first turn of a process with models given as strings loads their provider's modules (`initChatModel`'s
 * dynamic import): the MoA creates its models outside the turn's context, so that turn's graph and
 * checkpointer are freed once dropped, like every later turn's. In a fresh process, as the first turn
 * of a process is the one that counts.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const probe = fileURLToPath(new URL("../support/module-load-probe.ts", import.meta.url));

it("the turn that loads the providers' modules does not keep its graph's checkpointer", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["--expose-gc", "--import", "tsx", probe], { timeout: 60_000 });
  expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}")).toEqual({ collected: [true, true, true] });
}, 90_000);
