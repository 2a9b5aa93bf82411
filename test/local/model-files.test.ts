/**
 * Model files of the embedded engine, over a loopback stand-in of the Hugging Face hub (`HF_ENDPOINT`
 * points node-llama-cpp at it): first downloads, no request once a file is here, progress, resume after
 * a dropped connection, an abort and a killed process (checked with the Range headers the server got),
 * 404s, an unreachable server, a missing local path, the models directory.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import fsp, { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { MoAConfigError, MoAModelFileError } from "../../src/errors.js";
import { createDownloadDisplay, formatBytes, formatDuration, renderProgressLine, type DownloadProgress } from "../../src/local/download-progress.js";
import {
  MODEL_INDEX_FILE,
  cachedModelPath,
  defaultModelsDirectory,
  hubEndpoint,
  remoteModelSize,
  resolveModelPath,
  resolveModelsDirectory,
} from "../../src/local/model-files.js";
import { urlFileName } from "../../src/local/model-source.js";
import { closedPort } from "../support/closed-port.js";
import { startHubServer, type HubRequest, type HubServer } from "../support/hub-server.js";

const MiB = 1024 * 1024;
/** ipull's chunk: the unit a download resumes by. */
const CHUNK = 5 * MiB;
/** One chunk: most tests. */
const SMALL = randomBytes(3 * MiB + 123);
/** Three chunks (the last one short): the resume tests. */
const BIG = randomBytes(2 * CHUNK + 2 * MiB + 4321);
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

let hub: HubServer;
let scratch: string;
let dir: string;

beforeAll(async () => {
  hub = await startHubServer([
    { repo: "user/repo", file: "repo.Q8_0.gguf", content: SMALL, tags: ["Q8_0"] },
    { repo: "user/repo", file: "repo.Q4_K_M.gguf", content: BIG, tags: ["Q4_K_M"] },
    { repo: "user/repo", file: "file.gguf", content: SMALL },
    { file: "/files/plain/model.gguf", content: SMALL },
  ]);
});

afterAll(async () => {
  await hub.close();
});

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "moa-model-files-"));
  dir = join(scratch, "models");
  vi.stubEnv("HF_ENDPOINT", hub.url);
  vi.stubEnv("MODEL_ENDPOINT", undefined);
  vi.stubEnv("MOA_MODELS_DIR", undefined);
  // No token of the developer's may reach the test server, and no default directory may be the real cache.
  vi.stubEnv("HF_TOKEN", undefined);
  vi.stubEnv("HF_HOME", join(scratch, "hf-home"));
  vi.stubEnv("XDG_CACHE_HOME", join(scratch, "cache"));
  hub.clearRequests();
  hub.throttle(undefined);
  hub.release();
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  hub.release();
  await rm(scratch, { recursive: true, force: true });
});

const quiet = { progressDisplay: "none" } as const;
const fileRequests = (requests: readonly HubRequest[]) => requests.filter((r) => r.path.includes("/resolve/") || r.path.startsWith("/files/"));
const rangeStarts = (requests: readonly HubRequest[]) => fileRequests(requests).filter((r) => r.range !== undefined).map((r) => r.start);

/** The chunk record ipull keeps after the file's bytes in `<file>.ipull` (2 = complete), or undefined while there is none. */
async function partialChunks(path: string, size: number): Promise<number[] | undefined> {
  try {
    const text = (await readFile(path)).subarray(size).toString("utf8");
    return (JSON.parse(text) as { chunks: number[] }).chunks;
  } catch {
    return undefined;
  }
}

/** Waits until ipull has recorded the first chunk of `path` as complete (it writes nothing before a whole chunk is in). */
async function firstChunkSaved(path: string, size: number, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if ((await partialChunks(path, size))?.[0] === 2) return;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error(`ipull never recorded the first chunk of ${path}`);
}

function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("first download and reuse", () => {
  it("hf:<user>/<repo>:<quant>: reads the manifest, downloads the file it names, then needs no request", async () => {
    const path = await resolveModelPath("hf:user/repo:Q8_0", { directory: dir, ...quiet });

    expect(path).toBe(join(dir, "hf_user_repo_repo.Q8_0.gguf"));
    expect(Buffer.compare(await readFile(path), SMALL)).toBe(0);
    expect(hub.requests[0]).toMatchObject({ method: "GET", path: "/v2/user/repo/manifests/Q8_0", status: 200 });
    expect(new Set(fileRequests(hub.requests).map((r) => r.path))).toEqual(new Set(["/user/repo/resolve/main/repo.Q8_0.gguf"]));
    expect(await readdir(dir)).toEqual(expect.arrayContaining(["hf_user_repo_repo.Q8_0.gguf", MODEL_INDEX_FILE]));

    hub.clearRequests();
    await expect(resolveModelPath("hf:user/repo:Q8_0", { directory: dir, ...quiet })).resolves.toBe(path);
    await expect(cachedModelPath("hf:user/repo:Q8_0", { directory: dir })).resolves.toBe(path);
    expect(hub.requests).toEqual([]);
  });

  it("hf:<user>/<repo>/<file>.gguf: downloads the file, then needs no request", async () => {
    await expect(cachedModelPath("hf:user/repo/file.gguf", { directory: dir })).resolves.toBeUndefined();
    const path = await resolveModelPath("hf:user/repo/file.gguf", { directory: dir, ...quiet });

    expect(path).toBe(join(dir, "hf_user_repo_file.gguf"));
    expect(Buffer.compare(await readFile(path), SMALL)).toBe(0);
    expect(hub.requests.some((r) => r.path.startsWith("/v2/"))).toBe(false);
    expect(fileRequests(hub.requests).length).toBeGreaterThan(0);

    hub.clearRequests();
    await expect(resolveModelPath("hf:user/repo/file.gguf", { directory: dir, ...quiet })).resolves.toBe(path);
    expect(hub.requests).toEqual([]);
  });

  it("an http:// URL: downloads it, then needs no request, even with the index gone (node-llama-cpp alone asks every time)", async () => {
    const url = hub.fileUrl({ file: "/files/plain/model.gguf" });
    const path = await resolveModelPath(url, { directory: dir, ...quiet });

    expect(path).toMatch(/\/model-[0-9a-f]{12}\.gguf$/);
    expect(path).toBe(join(dir, urlFileName(url)!));
    expect(Buffer.compare(await readFile(path), SMALL)).toBe(0);
    expect(fileRequests(hub.requests).every((r) => r.path === "/files/plain/model.gguf")).toBe(true);

    hub.clearRequests();
    await expect(resolveModelPath(url, { directory: dir, ...quiet })).resolves.toBe(path);
    await rm(join(dir, MODEL_INDEX_FILE));
    await expect(resolveModelPath(url, { directory: dir, ...quiet })).resolves.toBe(path);
    expect(hub.requests).toEqual([]);

    // A file deleted behind the index's back is downloaded again.
    await rm(path);
    await expect(resolveModelPath(url, { directory: dir, ...quiet })).resolves.toBe(path);
    expect(fileRequests(hub.requests).length).toBeGreaterThan(0);
    expect(Buffer.compare(await readFile(path), SMALL)).toBe(0);
  });

  it("a file that is here works offline: the hub unreachable, no request, the same path", async () => {
    const path = await resolveModelPath("hf:user/repo/file.gguf", { directory: dir, ...quiet });
    vi.stubEnv("HF_ENDPOINT", `http://127.0.0.1:${await closedPort()}`);
    await expect(resolveModelPath("hf:user/repo/file.gguf", { directory: dir, ...quiet })).resolves.toBe(path);
  });

  it("a local path: returned absolute when it exists; a clear error naming it when it does not", async () => {
    await mkdir(dir, { recursive: true });
    const local = join(dir, "local.gguf");
    await writeFile(local, SMALL.subarray(0, 1000));
    await expect(resolveModelPath(local)).resolves.toBe(local);
    await expect(cachedModelPath(local)).resolves.toBe(local);
    await expect(resolveModelPath(pathToFileURL(local).href)).resolves.toBe(local);

    const missing = join(scratch, "nowhere", "missing.gguf");
    const error = await caught(resolveModelPath(missing));
    expect(MoAModelFileError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: "MoAModelFileError", reason: "missing_file", path: missing, model: missing });
    expect((error as Error).message).toContain(`Model file not found: ${missing} does not exist`);

    await expect(cachedModelPath(missing)).resolves.toBeUndefined();
    const relative = await caught(resolveModelPath("models/none.gguf"));
    expect(relative).toMatchObject({ reason: "missing_file", path: resolve("models/none.gguf") });
    await expect(caught(resolveModelPath(dir))).resolves.toMatchObject({ reason: "missing_file", path: dir });
    expect(hub.requests).toEqual([]);
  });
});

describe("progress", () => {
  it("onProgress gets growing byte counts up to the total, and no display is drawn alongside it", async () => {
    const seen: DownloadProgress[] = [];
    const written: string[] = [];
    const output = { isTTY: true, columns: 100, write: (text: string) => written.push(text) };
    const path = await resolveModelPath("hf:user/repo:Q4_K_M", { directory: dir, output, onProgress: (p) => seen.push(p) });

    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((p) => p.totalBytes === BIG.length)).toBe(true);
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]!.downloadedBytes).toBeGreaterThanOrEqual(seen[i - 1]!.downloadedBytes);
    expect(seen[0]!.downloadedBytes).toBeLessThan(BIG.length);
    expect(seen.at(-1)).toEqual({ downloadedBytes: BIG.length, totalBytes: BIG.length });
    expect(written).toEqual([]);
    expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
  });

  it("an onProgress that throws stops the download: the call rejects with its error and the next call completes the file", async () => {
    const failure = new Error("progress sink failed");
    let calls = 0;
    const onProgress = () => {
      calls += 1;
      throw failure;
    };
    await expect(resolveModelPath("hf:user/repo:Q4_K_M", { directory: dir, onProgress })).rejects.toBe(failure);
    expect(calls).toBe(1);
    expect(existsSync(join(dir, "hf_user_repo_repo.Q4_K_M.gguf"))).toBe(false);
    const path = await resolveModelPath("hf:user/repo:Q4_K_M", { directory: dir, ...quiet });
    expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
  });

  it("not on a terminal: one line when the download starts and one when it ends", async () => {
    const written: string[] = [];
    const path = await resolveModelPath("hf:user/repo:Q8_0", { directory: dir, output: { isTTY: false, write: (text: string) => written.push(text) } });
    expect(written).toEqual([
      `Downloading hf:user/repo:Q8_0 (${formatBytes(SMALL.length)})\n`,
      expect.stringMatching(new RegExp(`^Downloaded hf:user/repo:Q8_0 \\(${formatBytes(SMALL.length).replace(".", "\\.")}\\) in \\d+:\\d\\d.*: ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`)),
    ]);
  });

  it("on a terminal: a bar redrawn in place, within the terminal's width, ending at 100%", async () => {
    const written: string[] = [];
    await resolveModelPath("hf:user/repo:Q8_0", { directory: dir, output: { isTTY: true, columns: 72, write: (text: string) => written.push(text) } });
    const bars = written.filter((text) => text.startsWith("\r\x1b[2K"));
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars) expect(bar.length - "\r\x1b[2K".length).toBeLessThanOrEqual(71);
    expect(bars.at(-1)).toContain("100%");
    expect(bars.at(-1)).toContain(`${formatBytes(SMALL.length)} / ${formatBytes(SMALL.length)}`);
    expect(written.at(-1)).toMatch(/^Downloaded hf:user\/repo:Q8_0 /);
  });

  it("renders bytes, rate and time left, and cuts a long label to fit", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(12 * MiB)).toBe("12.0 MiB");
    expect(formatBytes(3.5 * 1024 * MiB)).toBe("3.50 GiB");
    expect(formatDuration(83_000)).toBe("1:23");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe("--:--");

    const line = renderProgressLine("hf:user/repo:Q8_0", { downloadedBytes: 5 * MiB, totalBytes: 10 * MiB }, MiB, 100);
    expect(line).toMatch(/^hf:user\/repo:Q8_0 \[=+>\s+\] {3}50% {2}5\.00 MiB \/ 10\.0 MiB {2}1\.00 MiB\/s {2}0:05 left$/);
    const long = renderProgressLine(`hf:${"x".repeat(200)}/repo:Q8_0`, { downloadedBytes: 1, totalBytes: 2 }, 0, 60);
    expect(long.length).toBeLessThanOrEqual(59);
    expect(long).toMatch(/^hf:x+…x+\/repo:Q8_0 \[=*> *\]/);
  });

  it("a display that stops says where the download stopped", () => {
    const written: string[] = [];
    let now = 0;
    const display = createDownloadDisplay("m", { isTTY: false, write: (text: string) => written.push(text) }, { resumed: true, now: () => now });
    display.update({ downloadedBytes: 5 * MiB, totalBytes: 12 * MiB });
    now = 1000;
    display.update({ downloadedBytes: 6 * MiB, totalBytes: 12 * MiB });
    display.stop();
    expect(written).toEqual(["Downloading m (12.0 MiB, resuming at 5.00 MiB)\n", "Download of m stopped at 6.00 MiB of 12.0 MiB; calling again resumes it\n"]);
  });
});

describe("resume", () => {
  const model = "hf:user/repo:Q4_K_M";
  const partial = () => join(dir, "hf_user_repo_repo.Q4_K_M.gguf.ipull");

  it("a connection cut mid-body is retried from the start of the chunk it was in, and the file is whole", async () => {
    hub.cutAfter(MiB, { start: CHUNK });
    const seen: DownloadProgress[] = [];
    const path = await resolveModelPath(model, { directory: dir, onProgress: (p) => seen.push(p) });

    const cut = hub.requests.find((r) => r.cut);
    expect(cut).toMatchObject({ start: CHUNK, bytesSent: MiB });
    // The retry asks again from the chunk boundary: bytes before it were complete, bytes after it were not kept.
    const after = hub.requests.slice(hub.requests.indexOf(cut!) + 1);
    expect(rangeStarts(after)).toContain(CHUNK);
    expect(rangeStarts(hub.requests).filter((start) => start === 0)).toHaveLength(1);
    expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
    for (let i = 1; i < seen.length; i += 1) expect(seen[i]!.downloadedBytes).toBeGreaterThanOrEqual(seen[i - 1]!.downloadedBytes);
  });

  it("an abort rejects with the AbortError, keeps the partial file, and the next call asks only for what is missing", async () => {
    hub.holdFrom(CHUNK + MiB);
    const controller = new AbortController();
    const first = resolveModelPath(model, { directory: dir, signal: controller.signal, ...quiet });
    await firstChunkSaved(partial(), BIG.length);
    const abortedAt = Date.now();
    controller.abort();
    const error = await caught(first);
    expect(Date.now() - abortedAt).toBeLessThan(5000);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect(existsSync(partial())).toBe(true);
    expect(existsSync(join(dir, "hf_user_repo_repo.Q4_K_M.gguf"))).toBe(false);

    hub.release();
    hub.clearRequests();
    const seen: DownloadProgress[] = [];
    const path = await resolveModelPath(model, { directory: dir, onProgress: (p) => seen.push(p) });
    // The first chunk is not asked for again: the ranges start where the first call's complete chunks end.
    expect(Math.min(...rangeStarts(hub.requests))).toBe(CHUNK);
    expect(seen[0]!.downloadedBytes).toBeGreaterThanOrEqual(CHUNK);
    expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
    expect(existsSync(partial())).toBe(false);
  });

  it("an aborted signal given at the start rejects at once with its reason, with no request", async () => {
    const reason = new Error("not now");
    await expect(resolveModelPath(model, { directory: dir, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(hub.requests).toEqual([]);
  });

  it("a process killed mid-download: the next call resumes from the first chunk it had not finished", async () => {
    hub.holdFrom(CHUNK + MiB);
    const script = [
      `const { resolveModelPath } = await import(${JSON.stringify(pathToFileURL(join(ROOT, "src/local/model-files.ts")).href)});`,
      `await resolveModelPath(${JSON.stringify(model)}, { directory: ${JSON.stringify(dir)}, progressDisplay: "none" });`,
      `console.log("done");`,
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, env: { ...process.env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    const exited = new Promise<NodeJS.Signals | null>((done) => child.once("exit", (_code, signal) => done(signal)));
    try {
      // The child's start (tsx, node-llama-cpp) is most of the wait; a loaded machine makes it long.
      await firstChunkSaved(partial(), BIG.length, 45_000);
    } catch (error) {
      child.kill("SIGKILL");
      const files = existsSync(dir) ? await readdir(dir) : [];
      throw new Error(`${(error as Error).message}; child output: ${output}; files: ${files.join(",")}; requests: ${JSON.stringify(hub.requests.map((r) => [r.method, r.path, r.range, r.status, r.bytesSent]))}`);
    }
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    expect(output).not.toContain("done");

    hub.release();
    hub.clearRequests();
    const written: string[] = [];
    const path = await resolveModelPath(model, { directory: dir, progressDisplay: "always", output: { isTTY: false, write: (text: string) => written.push(text) } });
    expect(Math.min(...rangeStarts(hub.requests))).toBe(CHUNK);
    expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
    expect(written[0]).toMatch(/^Downloading hf:user\/repo:Q4_K_M \(12\.0 MiB, resuming at 5\.\d\d MiB\)\n$/);
  }, 60_000);

  it("a download that receives nothing stops with a `stalled` error, and the next call completes it", async () => {
    hub.holdFrom(CHUNK + MiB);
    const error = await caught(resolveModelPath(model, { directory: dir, stallTimeoutMs: 800, ...quiet }));
    expect(MoAModelFileError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: "stalled", model, url: `${hub.url}/v2/user/repo/manifests/Q4_K_M` });
    expect((error as Error).message).toContain("the next try resumes it");
    expect(existsSync(partial())).toBe(true);

    hub.release();
    hub.clearRequests();
    const path = await resolveModelPath(model, { directory: dir, ...quiet });
    expect(Math.min(...rangeStarts(hub.requests))).toBeGreaterThanOrEqual(CHUNK);
    expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
  });
});

describe("errors", () => {
  it("a quantization the hub does not have: not_found, naming it and the manifest URL", async () => {
    const error = await caught(resolveModelPath("hf:user/repo:q2_k", { directory: dir, ...quiet }));
    expect(MoAModelFileError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: "not_found", status: 404, model: "hf:user/repo:q2_k", url: `${hub.url}/v2/user/repo/manifests/Q2_K` });
    expect((error as Error).message).toContain(`The hub has no quantization "Q2_K" of hf:user/repo (404 from ${hub.url}/v2/user/repo/manifests/Q2_K)`);
  });

  it("a file the hub does not have: not_found, naming the file URL tried; nothing is left behind", async () => {
    const error = await caught(resolveModelPath("hf:user/repo/missing.gguf", { directory: dir, ...quiet }));
    expect(error).toMatchObject({ reason: "not_found", status: 404, url: `${hub.url}/user/repo/resolve/main/missing.gguf?download=true` });
    expect((error as Error).message).toContain(`${hub.url}/user/repo/resolve/main/missing.gguf`);
    expect((await readdir(dir)).filter((name) => name !== MODEL_INDEX_FILE)).toEqual([]);
  });

  it("an injected 404 on a file URL: not_found naming the URL", async () => {
    hub.failWith(404, "/files/plain/model.gguf", { times: 2 });
    const url = hub.fileUrl({ file: "/files/plain/model.gguf" });
    await expect(caught(resolveModelPath(url, { directory: dir, ...quiet }))).resolves.toMatchObject({ reason: "not_found", status: 404, url });
  });

  it("the hub down and no copy here: one offline error at once, naming the model, the URL tried, HF_ENDPOINT and where a copy would go", async () => {
    const port = await closedPort();
    vi.stubEnv("HF_ENDPOINT", `http://127.0.0.1:${port}`);
    for (const [model, url, name] of [
      ["hf:user/repo:Q8_0", `http://127.0.0.1:${port}/v2/user/repo/manifests/Q8_0`, "hf_user_repo_repo.Q8_0.gguf"],
      // node-llama-cpp alone retries this one for about 12 minutes.
      ["hf:user/repo/file.gguf", `http://127.0.0.1:${port}/user/repo/resolve/main/file.gguf?download=true`, "hf_user_repo_file.gguf"],
      [`http://127.0.0.1:${port}/files/plain/model.gguf`, `http://127.0.0.1:${port}/files/plain/model.gguf`, urlFileName(`http://127.0.0.1:${port}/files/plain/model.gguf`)!],
    ] as const) {
      const started = Date.now();
      const error = await caught(resolveModelPath(model, { directory: dir, ...quiet }));
      expect(Date.now() - started).toBeLessThan(5000);
      expect(MoAModelFileError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ name: "MoAModelFileError", reason: "offline", model, url, path: join(dir, name) });
      const message = (error as Error).message;
      expect(message).toContain(`Cannot download model "${model}"`);
      expect(message).toContain(url);
      expect(message).toContain("ECONNREFUSED");
      expect(message).toContain(`put the .gguf file at ${join(dir, name)}`);
      if (model.startsWith("hf:")) expect(message).toContain(`HF_ENDPOINT (http://127.0.0.1:${port}/)`);
    }
  });

  it("the file put where the offline error says is used, with no request", async () => {
    vi.stubEnv("HF_ENDPOINT", `http://127.0.0.1:${await closedPort()}`);
    const error = (await caught(resolveModelPath("hf:user/repo:Q8_0", { directory: dir, ...quiet }))) as MoAModelFileError;
    await mkdir(dir, { recursive: true });
    await writeFile(error.path!, SMALL);
    await expect(resolveModelPath("hf:user/repo:Q8_0", { directory: dir, ...quiet })).resolves.toBe(error.path);
  });

  it("the path an offline error names is the one node-llama-cpp looks for", async () => {
    vi.stubEnv("HF_ENDPOINT", `http://127.0.0.1:${await closedPort()}`);
    const { resolveModelFile } = await import("node-llama-cpp");
    for (const model of [
      "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q8_0.gguf",
      "hf:user/Repo-GGUF/sub/dir/Other.gguf",
      "hf:user/repo/Model-Q4/Model-Q4.gguf",
    ]) {
      const ours = (await caught(resolveModelPath(model, { directory: dir, ...quiet }))) as MoAModelFileError;
      const theirs = (await caught(resolveModelFile(model, { directory: dir, download: false, cli: false }))) as Error;
      expect(ours.reason).toBe("offline");
      expect(theirs.message).toBe(`No model file found at "${ours.path}" and download is disabled`);
    }
  });

  it("an HF_ENDPOINT that is not a URL: a config error naming the variable", async () => {
    vi.stubEnv("HF_ENDPOINT", "not a url");
    const error = await caught(resolveModelPath("hf:user/repo:Q8_0", { directory: dir, ...quiet }));
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ option: "HF_ENDPOINT" });
  });
});

describe("endpoint, directory, sizes", () => {
  it("MODEL_ENDPOINT wins over HF_ENDPOINT, as in node-llama-cpp", async () => {
    vi.stubEnv("HF_ENDPOINT", `http://127.0.0.1:${await closedPort()}`);
    vi.stubEnv("MODEL_ENDPOINT", hub.url);
    expect(hubEndpoint()).toBe(`${hub.url}/`);
    const path = await resolveModelPath("hf:user/repo:Q8_0", { directory: dir, ...quiet });
    expect(Buffer.compare(await readFile(path), SMALL)).toBe(0);
    vi.stubEnv("MODEL_ENDPOINT", undefined);
    vi.stubEnv("HF_ENDPOINT", undefined);
    expect(hubEndpoint()).toBe("https://huggingface.co/");
  });

  it("MOA_MODELS_DIR is where downloads go without a directory option", async () => {
    const fromEnv = join(scratch, "from-env");
    vi.stubEnv("MOA_MODELS_DIR", fromEnv);
    expect(resolveModelsDirectory()).toBe(fromEnv);
    expect(resolveModelsDirectory(dir)).toBe(dir);
    const path = await resolveModelPath("hf:user/repo/file.gguf", quiet);
    expect(path).toBe(join(fromEnv, "hf_user_repo_file.gguf"));
    await expect(cachedModelPath("hf:user/repo/file.gguf")).resolves.toBe(path);
  });

  it("the per-user cache directory of each platform", () => {
    expect(defaultModelsDirectory({ XDG_CACHE_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/langgraph-moa/models");
    expect(defaultModelsDirectory({ XDG_CACHE_HOME: "relative" }, "linux", "/home/u")).toBe("/home/u/.cache/langgraph-moa/models");
    expect(defaultModelsDirectory({}, "linux", "/home/u")).toBe("/home/u/.cache/langgraph-moa/models");
    expect(defaultModelsDirectory({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Caches/langgraph-moa/models");
    expect(defaultModelsDirectory({ LOCALAPPDATA: "/appdata" }, "win32", "/home/u")).toBe(join("/appdata", "langgraph-moa", "models"));
    // The stubbed XDG_CACHE_HOME keeps every default of this file in the scratch directory.
    expect(resolveModelsDirectory()).toBe(join(scratch, "cache", "langgraph-moa", "models"));
  });

  it("remoteModelSize: from the manifest, from a HEAD request, not_found for a 404; nothing downloaded", async () => {
    await expect(remoteModelSize("hf:user/repo:Q4_K_M")).resolves.toBe(BIG.length);
    await expect(remoteModelSize("hf:user/repo/file.gguf")).resolves.toBe(SMALL.length);
    await expect(remoteModelSize(hub.fileUrl({ file: "/files/plain/model.gguf" }))).resolves.toBe(SMALL.length);
    expect(hub.requests.filter((r) => r.path.includes("/resolve/") || r.path.startsWith("/files/")).every((r) => r.method === "HEAD")).toBe(true);
    await expect(caught(remoteModelSize("hf:user/repo:Q3_K_S"))).resolves.toMatchObject({ reason: "not_found", status: 404 });
    await expect(caught(remoteModelSize("hf:user/repo/nope.gguf"))).resolves.toMatchObject({ reason: "not_found", status: 404 });
  });
});

describe("cache keys, partial files, secrets", () => {
  it("two URLs ending in the same file name are two files: the second is downloaded, not taken from the first", async () => {
    const other = randomBytes(MiB + 7);
    hub.addFile({ file: "/files/a/model.gguf", content: SMALL });
    hub.addFile({ file: "/files/b/model.gguf", content: other });
    const first = await resolveModelPath(hub.fileUrl({ file: "/files/a/model.gguf" }), { directory: dir, ...quiet });
    hub.clearRequests();
    const url = hub.fileUrl({ file: "/files/b/model.gguf" });
    await expect(cachedModelPath(url, { directory: dir })).resolves.toBeUndefined();
    const second = await resolveModelPath(url, { directory: dir, ...quiet });

    expect(second).not.toBe(first);
    expect(fileRequests(hub.requests).some((r) => r.path === "/files/b/model.gguf")).toBe(true);
    expect(Buffer.compare(await readFile(second), other)).toBe(0);
    expect(Buffer.compare(await readFile(first), SMALL)).toBe(0);
    await expect(cachedModelPath(url, { directory: dir })).resolves.toBe(second);
  });

  it("a file cut short under its final name is not used: found by the index or by name, it is downloaded again", async () => {
    for (const model of ["hf:user/repo/file.gguf", "hf:user/repo:Q8_0", hub.fileUrl({ file: "/files/plain/model.gguf" })]) {
      const path = await resolveModelPath(model, { directory: dir, ...quiet });
      await truncate(path, 1000);
      await expect(cachedModelPath(model, { directory: dir })).resolves.toBeUndefined();
      hub.clearRequests();
      await expect(resolveModelPath(model, { directory: dir, ...quiet })).resolves.toBe(path);
      expect(fileRequests(hub.requests).some((r) => r.method === "GET")).toBe(true);
      expect(Buffer.compare(await readFile(path), SMALL)).toBe(0);
      await expect(cachedModelPath(model, { directory: dir })).resolves.toBe(path);
    }
  });

  it("secrets in a URL appear in no message and not in the index", async () => {
    const url = `${hub.fileUrl({ file: "/files/plain/model.gguf" })}?token=SECRET`;
    await resolveModelPath(url, { directory: dir, ...quiet });
    const index = await readFile(join(dir, MODEL_INDEX_FILE), "utf8");
    expect(index).not.toContain("SECRET");
    expect(index).toContain("/files/plain/model.gguf?token=…");
    hub.clearRequests();
    await expect(resolveModelPath(url, { directory: dir, ...quiet })).resolves.toBeDefined();
    expect(hub.requests).toEqual([]);

    const port = await closedPort();
    const offline = await caught(resolveModelPath(`http://user:pass@127.0.0.1:${port}/m.gguf?token=SECRET&x=2`, { directory: dir, ...quiet }));
    expect(offline).toMatchObject({ reason: "offline", url: `http://127.0.0.1:${port}/m.gguf?token=…&x=…` });
    hub.failWith(404, "/files/secret.gguf");
    const notFound = await caught(resolveModelPath(`${hub.url.replace("://", "://user:pass@")}/files/secret.gguf?token=SECRET`, { directory: dir, ...quiet }));
    for (const error of [offline, notFound]) {
      expect(MoAModelFileError.isInstance(error)).toBe(true);
      const text = `${(error as Error).message} ${JSON.stringify(error)} ${(error as MoAModelFileError).url} ${(error as MoAModelFileError).model}`;
      expect(text).not.toMatch(/SECRET|pass@/);
    }
  });
});

describe("the models directory", () => {
  const url = () => hub.fileUrl({ file: "/files/plain/model.gguf" });

  it("a file where the directory should be: not_writable, naming it, with no request", async () => {
    await writeFile(dir, "not a directory");
    const error = await caught(resolveModelPath(url(), { directory: dir, ...quiet }));
    expect(error).toMatchObject({ name: "MoAModelFileError", reason: "not_writable" });
    expect((error as Error).message).toContain(`the models directory ${dir} is not a directory`);
    expect(hub.requests).toEqual([]);
  });

  it("a directory that cannot be written to: not_writable at once, naming it (no 60 s stall)", async () => {
    await mkdir(dir, { recursive: true });
    // Root may write anywhere, so the refusal is simulated as the OS gives it.
    vi.spyOn(fsp, "access").mockRejectedValue(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }));
    const error = await caught(resolveModelPath(url(), { directory: dir, ...quiet }));
    expect(error).toMatchObject({ reason: "not_writable" });
    expect((error as Error).message).toContain(`the models directory ${dir} is not writable`);
    expect(hub.requests).toEqual([]);
  });

  it("too little free space: no_space saying how much is needed and free; no unhandled rejection; a later call resumes", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const free = MiB;
      vi.spyOn(fsp, "statfs").mockImplementation(async () => ({ type: 0, bsize: 4096, blocks: 1e6, bfree: free / 4096, bavail: free / 4096, files: 1e6, ffree: 1e6 }));
      const started = Date.now();
      const error = await caught(resolveModelPath("hf:user/repo:Q4_K_M", { directory: dir, ...quiet }));
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(error).toMatchObject({ reason: "no_space", model: "hf:user/repo:Q4_K_M" });
      expect((error as Error).message).toContain(`the models directory ${dir} has too little free space: the model needs ${Math.ceil(BIG.length / MiB)} MiB, 1 MiB free`);
      vi.restoreAllMocks();
      const path = await resolveModelPath("hf:user/repo:Q4_K_M", { directory: dir, ...quiet });
      expect(Buffer.compare(await readFile(path), BIG)).toBe(0);
      await new Promise((done) => setTimeout(done, 200));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
