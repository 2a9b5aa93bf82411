/** The models the server offers (`GET /moa/models`), loaded once, with a way to try again. */
import { useCallback, useEffect, useState } from "react";
import type { OfferedModels } from "../../server/offered-models.js";
import { errorText } from "./error-text.js";

/** The offered models, the error that kept them away, and `retry`. */
export interface OfferedModelsState {
  readonly offered?: OfferedModels;
  readonly error?: string;
  readonly retry: () => void;
}

/** Loads `${serverUrl}/moa/models`. */
export function useOfferedModels(serverUrl: string): OfferedModelsState {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<{ offered?: OfferedModels; error?: string }>({});
  useEffect(() => {
    let current = true;
    fetch(`${serverUrl}/moa/models`)
      .then(async (response) => {
        const body = (await response.json()) as OfferedModels & { error?: string };
        if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
        if (current) setState({ offered: body });
      })
      .catch((error: unknown) => current && setState({ error: errorText(error, serverUrl) }));
    return () => {
      current = false;
    };
  }, [serverUrl, attempt]);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, retry };
}
