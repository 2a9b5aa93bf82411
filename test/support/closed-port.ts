import { createServer } from "node:net";

/** A port on 127.0.0.1 that nothing listens on (taken from the OS, then released): connections are refused. */
export function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
