/**
 * The web playground's routes on the served MoA (mounted by app.ts): the page under `/playground/`, and
 * `GET /moa/models`, the models it offers to choose from. The page reaches the graph itself through the
 * LangGraph Server API alone.
 */
import { readFile } from "node:fs/promises";
import { Hono } from "hono";
import { offeredModels } from "./offered-models.js";
import { serverDefaultModels } from "./default-models.js";

/** The page's files, by the name the page asks for, with their content types. */
const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "app.js.map": "application/json",
  "app.css.map": "application/json",
};

let built: Promise<string> | undefined;

/** The directory of the built page, built once on first use when it is not there. */
async function pageDirectory(): Promise<string> {
  built ??= (async () => {
    const { PLAYGROUND_DIST, buildPlayground } = await import("../playground/build.js");
    const ready = await readFile(`${PLAYGROUND_DIST}index.html`).then(
      () => true,
      () => false,
    );
    if (!ready) await buildPlayground();
    return PLAYGROUND_DIST;
  })().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

/** The Hono routes of the playground. */
export const playgroundRoutes = new Hono();

playgroundRoutes.get("/playground", (c) => c.redirect(`/playground/${new URL(c.req.url).search}`));

playgroundRoutes.get("/playground/:file{.*}", async (c) => {
  const name = c.req.param("file") || "index.html";
  const type = FILES[name];
  if (type === undefined) return c.text(`No such playground file: ${name}`, 404);
  try {
    const body = await readFile(`${await pageDirectory()}${name}`);
    return c.body(body, 200, { "content-type": type, "cache-control": "no-cache" });
  } catch (error) {
    return c.text(`The playground page could not be built or read: ${error instanceof Error ? error.message : String(error)}. Run \`npm run playground\` from the project's directory.`, 500);
  }
});

playgroundRoutes.get("/moa/models", async (c) => {
  try {
    return c.json(offeredModels(await serverDefaultModels(), process.env));
  } catch (error) {
    return c.json({ error: error instanceof Error ? error.message : String(error) }, 500);
  }
});
