/**
 * A throwaway npm project that installs this package the way a user does: from the tarball `npm pack`
 * makes in this repository (which builds it first), next to the user's own `@langchain/core` and
 * provider clients. Versions are the ones this repository is tested with, so `--prefer-offline`
 * finds them in npm's cache.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const repository = new URL("../../", import.meta.url).pathname;

/** The result of a command run in the project. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An installed consumer project. */
export interface PackedProject {
  /** The project's directory. */
  dir: string;
  /** Writes `content` to `name` in the project. */
  write(name: string, content: string): Promise<void>;
  /** Runs `command` in the project with this process's Node first on `PATH`; never throws. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult>;
  /** Removes the project and the tarball. */
  remove(): Promise<void>;
}

/** What the user installs next to the package: LangChain's core, the clients of the Quick start's providers, Node's types. */
const USER_PACKAGES = ["@langchain/core", "@langchain/openai", "@langchain/ollama", "@types/node"];

async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(repository, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

/**
 * Packs this repository and installs the tarball into a new project whose `package.json` is what
 * `npm init -y` writes (CommonJS), with {@link USER_PACKAGES} as its own dependencies.
 * @throws Error with npm's output when packing or installing fails.
 */
export async function createPackedProject(): Promise<PackedProject> {
  const dir = await mkdtemp(join(tmpdir(), "moa-consumer-"));
  const env = { ...process.env, PATH: `${join(process.execPath, "..")}:${process.env.PATH ?? ""}`, npm_config_audit: "false", npm_config_fund: "false" };
  const exec = async (command: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<CommandResult> => {
    try {
      const { stdout, stderr } = await run(command, args, { cwd, env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof failed.code === "number" ? failed.code : 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? String(error) };
    }
  };
  const must = async (command: string, args: string[], cwd: string): Promise<string> => {
    const result = await exec(command, args, cwd);
    if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  };

  // `npm pack --json` is no use: the build that `prepack` runs writes to the same stdout.
  await must("npm", ["pack", "--pack-destination", dir], repository);
  const tarball = join(dir, (await readdir(dir)).find((name) => name.endsWith(".tgz"))!);
  await must("npm", ["init", "-y"], dir);
  const peers = await Promise.all(USER_PACKAGES.map(async (name) => `${name}@${await installedVersion(name)}`));
  await must("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball, ...peers], dir);

  return {
    dir,
    write: (name, content) => writeFile(join(dir, name), content),
    run: (command, args, extraEnv) => exec(command, args, dir, extraEnv),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The TypeScript compiler of this repository, run with this process's Node. */
export const tsc = [process.execPath, join(repository, "node_modules", "typescript", "bin", "tsc")] as const;
