/**
 * A loopback stand-in of the Hugging Face hub, as node-llama-cpp (and the ipull downloader under it) talks
 * to it when `HF_ENDPOINT` points here:
 *
 * - `GET /v2/<user>/<repo>/manifests/<tag>`: what `hf:<user>/<repo>:<tag>` is resolved with. node-llama-cpp
 *   reads only `ggufFile.rfilename` (the file's path in the repo) from the JSON; `size` and `blobId` are
 *   sent as the hub does. An unknown repo or tag answers 404.
 * - `GET` / `HEAD /<user>/<repo>/resolve/<branch>/<file>` (any query): the file, with `Accept-Ranges: bytes`;
 *   `Range: bytes=N-` or `bytes=N-M` answers 206 with `Content-Range`, no Range answers 200. ipull first
 *   sends a GET without Range only to read the headers (it never reads that body), then one ranged GET per
 *   stream (up to three streams, 5 MiB chunks).
 * - Plain files at any other path (`/files/model.gguf`), for plain `http://` URLs.
 *
 * Every request is recorded (method, path, Range header, status, body bytes sent). Faults: cut the
 * connection after N bytes of a body (once), hold every byte from an offset on until released (so a test
 * can kill or abort a client at a known point), answer a status (404, 500, ...) for matching paths, and
 * throttle bodies (a delay per chunk).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { open } from "node:fs/promises";
import { statSync } from "node:fs";

/** A file the server serves. */
export interface HubFileSpec {
  /** `user/repo` for a hub file, served at `/<user>/<repo>/resolve/<branch>/<file>`; omit for a plain file. */
  readonly repo?: string;
  /** The file's path in the repo (`model.Q8_0.gguf`), or the URL path of a plain file (`/files/model.gguf`). */
  readonly file: string;
  /** The bytes: a Buffer, or the path of a file on disk (read by range, never whole). */
  readonly content: Buffer | string;
  /**
   * Manifest tags (quantizations such as `Q8_0`, matched without regard to case) that resolve to this file.
   * The first file added to a repo also answers the tag `latest`.
   */
  readonly tags?: readonly string[];
}

/** One request the server received. */
export interface HubRequest {
  /** `GET` or `HEAD` (others are answered 405). */
  readonly method: string;
  /** The URL path without the query. */
  readonly path: string;
  /** The raw request target, query included. */
  readonly url: string;
  /** The `Range` header as sent, if any. */
  readonly range: string | undefined;
  /** Whether an `Authorization` header came with it (its value is never recorded). */
  readonly authorization: boolean;
  /** The status answered (0 until the head is sent). */
  status: number;
  /** Body bytes written to the socket so far (for a file: bytes of the file). */
  bytesSent: number;
  /** The first byte of the file this response serves (0 without Range). */
  start: number;
  /** True once the connection was closed before the whole body was sent (cut, or the client went away). */
  interrupted: boolean;
  /** True when the server cut it ({@link HubServer.cutAfter}). */
  cut: boolean;
}

/** Which file responses a fault applies to. */
export interface HubMatch {
  /** Only this URL path (without the query). */
  readonly path?: string;
  /** Only requests with (true, the default) or without (false) a `Range` header. */
  readonly ranged?: boolean;
  /** Only responses whose body starts at this byte of the file. */
  readonly start?: number;
}

/** The running server. */
export interface HubServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash: the value for `HF_ENDPOINT`. */
  readonly url: string;
  /** The port the OS gave. */
  readonly port: number;
  /** Every request so far, in arrival order. */
  readonly requests: HubRequest[];
  /** Adds (or replaces) a file. */
  addFile(spec: HubFileSpec): void;
  /** The resolve URL of a hub file (`<url>/<repo>/resolve/main/<file>`), or the URL of a plain file. */
  fileUrl(spec: Pick<HubFileSpec, "repo" | "file">): string;
  /** Once: the first file body matching `match` (default: a ranged GET) is cut (socket destroyed) after `afterBytes` bytes. */
  cutAfter(afterBytes: number, match?: HubMatch): void;
  /** Holds every file byte at offset `offset` or later, in every response, until {@link release}. */
  holdFrom(offset: number): void;
  /** Ends a {@link holdFrom}: held responses go on. */
  release(): void;
  /** Answers `status` to requests whose path matches (`times` times; forever by default). */
  failWith(status: number, match: string | RegExp, options?: { times?: number }): void;
  /** Writes file bodies `chunkBytes` at a time with `delayMs` between chunks; `undefined` turns it off. */
  throttle(options: { chunkBytes: number; delayMs: number } | undefined): void;
  /** Resolves once the file bytes sent by all responses add up to at least `bytes`. */
  whenSent(bytes: number): Promise<void>;
  /** Resolves once the bytes of the file at `[start, end)` have all been sent by one ranged response. */
  whenRangeSent(start: number, end: number): Promise<void>;
  /** File bytes sent by all responses so far. */
  totalSent(): number;
  /** Forgets the recorded requests (and the sent-bytes total). */
  clearRequests(): void;
  /** Stops the server and closes every connection. */
  close(): Promise<void>;
}

interface StoredFile {
  readonly spec: HubFileSpec;
  readonly size: number;
}

const DEFAULT_CHUNK = 64 * 1024;

function matches(match: HubMatch | undefined, req: HubRequest): boolean {
  if (match?.path !== undefined && match.path !== req.path) return false;
  if (match?.start !== undefined && match.start !== req.start) return false;
  const ranged = match?.ranged ?? true;
  return ranged === (req.range !== undefined);
}

/** Parses `bytes=N-` / `bytes=N-M` against a size; undefined when absent, "invalid" when it cannot be served. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | "invalid" | undefined {
  if (header === undefined) return undefined;
  const found = /^bytes=(\d+)-(\d*)$/.exec(header.trim());
  if (!found) return "invalid";
  const start = Number(found[1]);
  const end = found[2] === "" ? size - 1 : Math.min(Number(found[2]), size - 1);
  if (start >= size || end < start) return "invalid";
  return { start, end: end + 1 };
}

/** Starts the hub stand-in on 127.0.0.1 (a port chosen by the OS). */
export async function startHubServer(files: readonly HubFileSpec[] = []): Promise<HubServer> {
  const byPath = new Map<string, StoredFile>();
  const repos = new Map<string, StoredFile[]>();
  const requests: HubRequest[] = [];
  let cut: { afterBytes: number; match: HubMatch | undefined } | undefined;
  let hold: { offset: number; released: Promise<void>; release: () => void } | undefined;
  let throttle: { chunkBytes: number; delayMs: number } | undefined;
  const failures: { status: number; match: string | RegExp; times: number }[] = [];
  let sentTotal = 0;
  const sentWaiters = new Set<() => void>();

  const notifySent = () => {
    for (const check of [...sentWaiters]) check();
  };

  const addFile = (spec: HubFileSpec) => {
    const size = typeof spec.content === "string" ? statSync(spec.content).size : spec.content.length;
    const stored: StoredFile = { spec, size };
    if (spec.repo !== undefined) {
      const list = repos.get(spec.repo) ?? [];
      repos.set(spec.repo, [...list.filter((f) => f.spec.file !== spec.file), stored]);
    } else {
      byPath.set(spec.file.startsWith("/") ? spec.file : `/${spec.file}`, stored);
    }
  };
  files.forEach(addFile);

  const findHubFile = (path: string): StoredFile | undefined => {
    const found = /^\/([^/]+)\/([^/]+)\/resolve\/[^/]+\/(.+)$/.exec(path);
    if (!found) return undefined;
    const repo = `${decodeURIComponent(found[1]!)}/${decodeURIComponent(found[2]!)}`;
    const file = found[3]!.split("/").map(decodeURIComponent).join("/");
    return repos.get(repo)?.find((f) => f.spec.file === file);
  };

  const readSlice = async (file: StoredFile, start: number, end: number): Promise<Buffer> => {
    const content = file.spec.content;
    if (typeof content !== "string") return content.subarray(start, end);
    const handle = await open(content, "r");
    try {
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer;
    } finally {
      await handle.close();
    }
  };

  const json = (res: ServerResponse, record: HubRequest, status: number, body: unknown) => {
    record.status = status;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

  const serveManifest = (res: ServerResponse, record: HubRequest, user: string, repo: string, tag: string) => {
    const list = repos.get(`${user}/${repo}`);
    const wanted = tag.toLowerCase();
    const file = list?.find((f) => f.spec.tags?.some((t) => t.toLowerCase() === wanted)) ?? (wanted === "latest" ? list?.[0] : undefined);
    if (!file) {
      json(res, record, 404, { error: `The specified tag is not a valid quantization scheme: ${tag}` });
      return;
    }
    json(res, record, 200, { ggufFile: { rfilename: file.spec.file, blobId: `blob-${file.spec.file}`, size: file.size } });
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, record: HubRequest, file: StoredFile) => {
    const range = parseRange(record.range, file.size);
    if (range === "invalid") {
      record.status = 416;
      res.writeHead(416, { "content-range": `bytes */${file.size}` });
      res.end();
      return;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? file.size;
    record.start = start;
    const name = file.spec.file.split("/").pop() ?? file.spec.file;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
      "content-length": String(end - start),
      etag: `"${name}-${file.size}"`,
    };
    if (file.spec.repo !== undefined) headers["content-disposition"] = `inline; filename="${name}"`;
    if (range) headers["content-range"] = `bytes ${start}-${end - 1}/${file.size}`;
    record.status = range ? 206 : 200;
    res.writeHead(record.status, headers);
    // A real server sends the head at once, before the body (Node holds it until the first write).
    res.flushHeaders();
    if (req.method === "HEAD") {
      res.end();
      return;
    }

    let closed = false;
    const closedPromise = new Promise<void>((resolve) => res.once("close", () => {
      closed = true;
      resolve();
    }));
    const myCut = cut && matches(cut.match, record) ? cut : undefined;
    if (myCut) cut = undefined;

    let position = start;
    while (position < end && !closed) {
      if (hold && position >= hold.offset) {
        await Promise.race([hold.released, closedPromise]);
        continue;
      }
      let next = Math.min(end, position + (throttle?.chunkBytes ?? DEFAULT_CHUNK));
      if (hold && next > hold.offset) next = hold.offset;
      if (myCut) next = Math.min(next, start + myCut.afterBytes);
      const slice = await readSlice(file, position, next);
      if (closed) break;
      const flushed = res.write(slice);
      position = next;
      record.bytesSent += slice.length;
      sentTotal += slice.length;
      notifySent();
      if (myCut && record.bytesSent >= myCut.afterBytes) {
        record.interrupted = true;
        record.cut = true;
        res.socket?.destroy();
        return;
      }
      if (!flushed) await Promise.race([new Promise((resolve) => res.once("drain", resolve)), closedPromise]);
      if (throttle && throttle.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, throttle?.delayMs));
    }
    if (closed) {
      record.interrupted = position < end;
      return;
    }
    res.end();
  };

  const server = createServer((req, res) => {
    const target = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = target.pathname;
    const range = req.headers.range;
    const record: HubRequest = {
      method: req.method ?? "GET",
      path,
      url: req.url ?? "/",
      range: typeof range === "string" ? range : undefined,
      authorization: req.headers.authorization !== undefined,
      status: 0,
      bytesSent: 0,
      start: 0,
      interrupted: false,
      cut: false,
    };
    requests.push(record);

    const failure = failures.find((f) => (typeof f.match === "string" ? f.match === path : f.match.test(path)) && f.times > 0);
    if (failure) {
      failure.times -= 1;
      record.status = failure.status;
      res.writeHead(failure.status, { "content-type": "text/plain", "x-error-code": failure.status === 404 ? "EntryNotFound" : "Injected" });
      res.end(failure.status === 404 ? "Entry not found" : "Injected failure");
      return;
    }

    if (req.method !== "GET" && req.method !== "HEAD") {
      record.status = 405;
      res.writeHead(405);
      res.end();
      return;
    }
    const manifest = /^\/v2\/([^/]+)\/([^/]+)\/manifests\/([^/]+)$/.exec(path);
    if (manifest) {
      serveManifest(res, record, decodeURIComponent(manifest[1]!), decodeURIComponent(manifest[2]!), decodeURIComponent(manifest[3]!));
      return;
    }
    const file = findHubFile(path) ?? byPath.get(path);
    if (!file) {
      record.status = 404;
      res.writeHead(404, { "content-type": "text/plain", "x-error-code": "EntryNotFound" });
      res.end("Entry not found");
      return;
    }
    serveFile(req, res, record, file).catch(() => res.socket?.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    requests,
    addFile,
    fileUrl(spec) {
      if (spec.repo === undefined) return `${url}${spec.file.startsWith("/") ? "" : "/"}${spec.file}`;
      return `${url}/${spec.repo}/resolve/main/${spec.file}`;
    },
    cutAfter(afterBytes, match) {
      cut = { afterBytes, match };
    },
    holdFrom(offset) {
      hold?.release();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      hold = { offset, released, release };
    },
    release() {
      const current = hold;
      hold = undefined;
      current?.release();
    },
    failWith(status, match, options) {
      failures.push({ status, match, times: options?.times ?? Number.POSITIVE_INFINITY });
    },
    throttle(options) {
      throttle = options;
    },
    whenSent(bytes) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (sentTotal < bytes) return;
          sentWaiters.delete(check);
          resolve();
        };
        sentWaiters.add(check);
        check();
      });
    },
    whenRangeSent(start, end) {
      return new Promise<void>((resolve) => {
        const check = () => {
          if (!requests.some((r) => r.range !== undefined && r.start <= start && r.start + r.bytesSent >= end)) return;
          sentWaiters.delete(check);
          resolve();
        };
        sentWaiters.add(check);
        check();
      });
    },
    totalSent: () => sentTotal,
    clearRequests() {
      requests.length = 0;
      sentTotal = 0;
    },
    async close() {
      hold?.release();
      hold = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
