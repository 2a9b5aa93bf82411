/**
 * HTTP middleware of the served MoA (langgraph.json `http.app`): LangGraph Server mounts it before its
 * own routes. It moves a run request's model choice from `configurable` to `context`, so the choice
 * applies to that run only (see run-choice.ts), and serves the web playground (see playground-routes.ts).
 */
import { Hono } from "hono";
import { playgroundRoutes } from "./playground-routes.js";
import { createsRun, moveRunChoiceToContext } from "./run-choice.js";

/** The Hono app LangGraph Server loads from langgraph.json's `http.app`. */
export const app = new Hono();

app.post("*", async (c, next) => {
  if (!createsRun(c.req.path) || !(c.req.header("content-type") ?? "").includes("application/json")) return next();
  const body: unknown = await c.req.raw.clone().json().catch(() => undefined);
  const moved = moveRunChoiceToContext(body);
  if (moved !== body) c.req.raw = new Request(c.req.raw, { body: JSON.stringify(moved) });
  return next();
});

app.route("/", playgroundRoutes);
