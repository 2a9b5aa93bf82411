import { createConnection, createServer } from "node:net";

/** A port on 127.0.0.1 that nothing listens on (taken from the OS, then released): connections are refused. */
export function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Opens and closes a TCP connection to `port` on 127.0.0.1; rejects with the socket's error (`ECONNREFUSED` when nothing listens). */
export function connect(port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const socket = createConnection(port, "127.0.0.1", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", reject);
  });
}
