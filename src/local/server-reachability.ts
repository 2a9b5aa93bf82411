/** A quick TCP check that the server of a download answers, before node-llama-cpp is asked to download. */
import { connect } from "node:net";
import { offlineError, type DownloadContext } from "./download-errors.js";

const DEFAULT_CONNECT_MS = 10_000;

/**
 * Opens (and closes) a TCP connection to the server of the first URL: node-llama-cpp would retry a
 * refused connection for minutes before failing. Rejects with an `offline` error, or `signal.reason`.
 * @param timeoutMs How long to wait for the connection; default 10,000 ms.
 */
export async function checkReachable(context: DownloadContext, timeoutMs = DEFAULT_CONNECT_MS, signal?: AbortSignal): Promise<void> {
  const url = new URL(context.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  await new Promise<void>((resolvePromise, reject) => {
    const socket = connect({ host, port });
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (error === undefined) resolvePromise();
      else reject(error);
    };
    const onAbort = () => finish(signal?.reason);
    const timer = setTimeout(() => finish(offlineError(context, context.url, `${host}:${port} did not answer within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish());
    socket.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "ENOTFOUND" || error.code === "EAI_AGAIN" ? `${host} cannot be resolved (${error.code})` : `${host}:${port} cannot be reached (${error.code ?? error.message})`;
      finish(offlineError(context, context.url, why, error));
    });
  });
}
