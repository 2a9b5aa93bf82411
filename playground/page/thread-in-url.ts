/** The open thread's id kept in the page's URL (`?thread=<id>`), so a reload or a shared link shows the same conversation. */

/** The thread id in the URL, or null for a new conversation. */
export function threadInUrl(): string | null {
  return new URLSearchParams(window.location.search).get("thread");
}

/** Puts `threadId` (or none) in the URL as a new history entry, keeping the other parameters. */
export function showThreadInUrl(threadId: string | null): void {
  const url = new URL(window.location.href);
  if (threadId === null) url.searchParams.delete("thread");
  else url.searchParams.set("thread", threadId);
  if (url.href !== window.location.href) window.history.pushState(null, "", url);
}
