/** The server's threads, newest first, each a link to its conversation; and a new one. */
import { useCallback, useEffect, useState } from "react";
import type { Client, Message, Thread } from "@langchain/langgraph-sdk";
import { errorText } from "./error-text.js";
import { messageText } from "./message-text.js";

/** Threads listed at most. */
const LISTED = 50;

/** A thread's title: its first question, cut to a line. */
function titleOf(thread: Thread<{ messages?: Message[] }>): string {
  const first = thread.values?.messages?.find((message) => message.type === "human");
  const text = first ? messageText(first).trim() : "";
  return text === "" ? "New conversation" : text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Whether `thread` holds a conversation: an answer (a thread whose first run failed or was stopped holds none). */
function hasMessages(thread: Thread<{ messages?: Message[] }>): boolean {
  return thread.values?.messages?.some((message) => message.type === "ai") ?? false;
}

/** The threads' state: the list, the error that kept it away, and `refresh`. */
export function useThreads(client: Client, serverUrl: string) {
  const [threads, setThreads] = useState<Thread<{ messages?: Message[] }>[]>([]);
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    client.threads
      .search<{ messages?: Message[] }>({ limit: LISTED, sortBy: "updated_at", sortOrder: "desc" })
      .then((list) => {
        if (!current) return;
        setThreads(list);
        setError(undefined);
      })
      .catch((reason: unknown) => current && setError(errorText(reason, serverUrl)));
    return () => {
      current = false;
    };
  }, [client, serverUrl, version]);
  const refresh = useCallback(() => setVersion((n) => n + 1), []);
  return { threads, error, refresh };
}

/** The `nav` named "Threads". */
export function ThreadList({ threads, error, refresh, threadId, onOpen }: ReturnType<typeof useThreads> & { threadId: string | null; onOpen: (threadId: string | null) => void }) {
  const hrefOf = (id: string) => {
    const url = new URL(window.location.href);
    url.searchParams.set("thread", id);
    return `${url.pathname}${url.search}`;
  };
  return (
    <nav className="threads" aria-label="Threads">
      <h2>Threads</h2>
      <button type="button" onClick={() => onOpen(null)}>
        New thread
      </button>
      {error !== undefined ? (
        <div role="alert">
          <p>{error}</p>
          <button type="button" onClick={refresh}>
            Retry
          </button>
        </div>
      ) : null}
      <ul>
        {threads.filter((thread) => thread.thread_id === threadId || hasMessages(thread)).map((thread) => (
          <li key={thread.thread_id}>
            <a
              href={hrefOf(thread.thread_id)}
              aria-current={thread.thread_id === threadId ? "page" : undefined}
              onClick={(event) => {
                if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
                event.preventDefault();
                onOpen(thread.thread_id);
              }}
            >
              {titleOf(thread)}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
