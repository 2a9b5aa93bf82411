/**
 * Where the page finds the LangGraph Server: its own origin (the server serves it), or the `api` query
 * parameter, so the same page can talk to another deployment of the graph.
 */

/** The graph's id in langgraph.json, which a run names as its assistant. */
export const ASSISTANT_ID = "moa";

/** The server's base URL, without a trailing slash. */
export function serverUrl(location: Location = window.location): string {
  const given = new URLSearchParams(location.search).get("api");
  return (given ?? location.origin).replace(/\/+$/, "");
}
