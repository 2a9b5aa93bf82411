/**
 * Builds the playground page (playground/page, React) into playground/dist with esbuild: `app.js`,
 * `app.css` and `index.html`, which the served MoA's `http.app` serves under `/playground/`.
 */
import { copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** Where the built page goes. */
export const PLAYGROUND_DIST = fileURLToPath(new URL("./dist/", import.meta.url));
const PAGE = fileURLToPath(new URL("./page/", import.meta.url));

/** Builds the page into {@link PLAYGROUND_DIST}; resolves once the files are written. */
export async function buildPlayground(): Promise<void> {
  await mkdir(PLAYGROUND_DIST, { recursive: true });
  await build({
    entryPoints: { app: `${PAGE}main.tsx` },
    outdir: PLAYGROUND_DIST,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    minify: true,
    sourcemap: true,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  await copyFile(`${PAGE}index.html`, `${PLAYGROUND_DIST}index.html`);
}
