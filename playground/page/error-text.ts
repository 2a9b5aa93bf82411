/** What went wrong, in one line a person can act on. */

/** The message of `error` (a thrown value or a run's error event), naming the server when it could not be reached. */
export function errorText(error: unknown, serverUrl: string): string {
  const { name, message } = (typeof error === "object" && error !== null ? error : { message: String(error) }) as { name?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  // A browser's fetch fails with a TypeError; the SDK wraps it in a ConnectionError.
  if ((error instanceof TypeError && /fetch|network/i.test(text)) || name === "ConnectionError") {
    const cause = /Original error: (.*)$/.exec(text)?.[1] ?? text;
    return `Cannot reach the LangGraph Server at ${serverUrl} (${cause}). Is it running? Start it with \`npm run playground\`.`;
  }
  return typeof name === "string" && name !== "" && name !== "Error" && !text.startsWith(name) ? `${name}: ${text}` : text;
}
