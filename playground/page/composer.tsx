/** The message box: Enter sends (Shift+Enter starts a new line); a running turn can be stopped. */
import type { KeyboardEvent } from "react";

/** The composer's state and actions. */
export interface ComposerProps {
  readonly draft: string;
  readonly onDraft: (text: string) => void;
  readonly onSend: () => void;
  readonly onStop: () => void;
  readonly running: boolean;
  /** True when the settings cannot be sent (the reason is shown beside the box). */
  readonly blocked?: boolean;
}

/** The form with the "Message" textbox, "Send" and, while a turn runs, "Stop". */
export function Composer({ draft, onDraft, onSend, onStop, running, blocked = false }: ComposerProps) {
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      onSend();
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        onSend();
      }}
    >
      <label htmlFor="message" className="visually-hidden">
        Message
      </label>
      <textarea id="message" name="message" rows={2} placeholder="Ask the mixture… (Enter sends, Shift+Enter for a new line)" value={draft} onChange={(event) => onDraft(event.target.value)} onKeyDown={onKeyDown} />
      {running ? (
        <button type="button" onClick={onStop}>
          Stop
        </button>
      ) : null}
      <button type="submit" disabled={running || blocked || draft.trim() === ""}>
        Send
      </button>
    </form>
  );
}
