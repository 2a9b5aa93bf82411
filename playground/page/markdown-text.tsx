/**
 * Model output rendered as Markdown (paragraphs, lists, code blocks) by react-markdown, which builds React
 * elements and never raw HTML: HTML in the text is shown as text, and links other than http(s) and
 * mailto are dropped.
 */
import Markdown from "react-markdown";

/** `text` as Markdown, safely. */
export function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown>{text}</Markdown>
    </div>
  );
}
