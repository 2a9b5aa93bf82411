/**
 * A real terminal for the conversation tests: the example runs in a detached tmux session on a private
 * server socket; tests type into it with `send-keys` and read the screen with `capture-pane`.
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** How a terminal is started. */
export interface TerminalOptions {
  /** The tmux server socket name (`-L`), unique per test file. */
  readonly socket: string;
  /** The program and its arguments, run directly (no shell). */
  readonly command: readonly string[];
  /** The program's whole environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly columns?: number;
  readonly rows?: number;
}

/** Polling of the screen. */
export interface WaitOptions {
  readonly timeoutMs?: number;
}

const POLL_MS = 100;
const DEFAULT_WAIT_MS = 45_000;
let sessions = 0;

/** A program running in a tmux pane. */
export class Terminal {
  private constructor(
    private readonly socket: string,
    private readonly target: string,
  ) {}

  /** Starts `options.command` in a new pane; the pane stays (dead) after the program exits, for reading. */
  static async start(options: TerminalOptions): Promise<Terminal> {
    sessions += 1;
    const target = `t${process.pid}-${sessions}`;
    const env = Object.entries(options.env).map(([name, value]) => `${name}=${value}`);
    await tmux(options.socket, [
      "new-session", "-d", "-s", target, "-x", String(options.columns ?? 100), "-y", String(options.rows ?? 50), "-c", options.cwd,
      "env", "-i", ...env, ...options.command,
      ";", "set-option", "-t", target, "remain-on-exit", "on",
    ]);
    return new Terminal(options.socket, target);
  }

  /** Types `text` and presses Enter. */
  async type(text: string): Promise<void> {
    await tmux(this.socket, ["send-keys", "-t", this.target, "-l", text]);
    await this.press("Enter");
  }

  /** Presses keys by tmux name, e.g. `C-c`, `C-d`, `Enter`. */
  async press(...keys: string[]): Promise<void> {
    await tmux(this.socket, ["send-keys", "-t", this.target, ...keys]);
  }

  /** The screen as a person sees it, with the lines scrolled off the top before it; trailing blank lines dropped. */
  async screen(): Promise<string> {
    const { stdout } = await tmux(this.socket, ["capture-pane", "-p", "-S", "-2000", "-t", this.target]);
    return stdout.replace(/\s+$/, "");
  }

  /** Whether the program has exited. */
  async exited(): Promise<boolean> {
    const { stdout } = await tmux(this.socket, ["display-message", "-p", "-t", this.target, "#{pane_dead}"]);
    return stdout.trim() === "1";
  }

  /**
   * Polls the screen until `expected` (text, a pattern, or a test of the whole screen) is on it; resolves
   * with the screen. On timeout, fails showing the screen.
   */
  async waitFor(expected: string | RegExp | ((screen: string) => boolean), options: WaitOptions = {}): Promise<string> {
    const test = typeof expected === "function" ? expected : typeof expected === "string" ? (s: string) => s.includes(expected) : (s: string) => expected.test(s);
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
    for (;;) {
      const screen = await this.screen();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${String(expected)}; the screen shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Polls until the program has exited. */
  async waitForExit(options: WaitOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
    while (!(await this.exited())) {
      if (Date.now() > deadline) throw new Error(`The program did not exit; the screen shows:\n${await this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Ends the session (and its program, if it still runs). */
  async close(): Promise<void> {
    await tmux(this.socket, ["kill-session", "-t", this.target]).catch(() => undefined);
  }
}

/**
 * Starts the tmux server of `socket`, kept running without sessions until {@link stopTmuxServer}, so
 * that terminals started at once do not race to start it. Throws a clear error when tmux is missing.
 */
export async function startTmuxServer(socket: string): Promise<void> {
  await run("tmux", ["-V"]).catch(() => {
    throw new Error("The terminal tests need tmux: apt-get install -y tmux");
  });
  await tmux(socket, ["start-server", ";", "set-option", "-g", "exit-empty", "off"]);
}

/** Stops the tmux server of `socket` (every session on it) and removes the socket files tmux leaves behind. */
export async function stopTmuxServer(socket: string): Promise<void> {
  await tmux(socket, ["kill-server"]).catch(() => undefined);
  const path = join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${process.getuid?.() ?? 0}`, socket);
  for (const file of [path, `${path}.lock`]) rmSync(file, { force: true });
}

function tmux(socket: string, args: readonly string[]): Promise<{ stdout: string }> {
  return run("tmux", ["-L", socket, "-u", "-f", "/dev/null", ...args], { encoding: "utf8" });
}
