/**
 * The playground: threads on the left, the open conversation with its mixture on the right, the run's
 * model choice above the message box. It talks to LangGraph Server through @langchain/langgraph-sdk only
 * (and reads the offered models from `GET /moa/models`).
 */
import { useEffect, useMemo, useState } from "react";
import { Client } from "@langchain/langgraph-sdk";
import { Conversation } from "./conversation.js";
import { serverUrl } from "./server-url.js";
import type { RunChoice } from "./settings-panel.js";
import { showThreadInUrl, threadInUrl } from "./thread-in-url.js";
import { ThreadList, useThreads } from "./thread-list.js";
import { useOfferedModels } from "./use-offered-models.js";

/** The page. */
export function App() {
  const apiUrl = useMemo(() => serverUrl(), []);
  const client = useMemo(() => new Client({ apiUrl }), [apiUrl]);
  const [threadId, setThreadId] = useState<string | null>(threadInUrl);
  const [choice, setChoice] = useState<RunChoice>();
  const offered = useOfferedModels(apiUrl);
  const threads = useThreads(client, apiUrl);
  // A new view (fresh live state) when the user opens a thread; not when a run creates the thread it runs on.
  const [view, setView] = useState(0);

  useEffect(() => {
    const onPop = () => {
      setThreadId(threadInUrl());
      setView((n) => n + 1);
    };
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const follow = (id: string | null) => {
    showThreadInUrl(id);
    setThreadId(id);
  };
  const open = (id: string | null) => {
    follow(id);
    setView((n) => n + 1);
  };

  return (
    <div className="layout">
      <a className="skip-link" href="#message">
        Skip to the message box
      </a>
      <header className="top">
        <h1>MoA playground</h1>
        <p className="server">LangGraph Server at {apiUrl}</p>
      </header>
      <ThreadList {...threads} threadId={threadId} onOpen={open} />
      <main>
        <Conversation
          key={view}
          client={client}
          serverUrl={apiUrl}
          threadId={threadId}
          onThreadId={follow}
          choice={choice}
          onChoice={setChoice}
          offered={offered}
          onTurnOver={threads.refresh}
          onNewThread={() => open(null)}
        />
      </main>
    </div>
  );
}
