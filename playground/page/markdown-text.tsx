/**
 * Model output rendered as GitHub-flavoured Markdown (paragraphs, lists, tables, code blocks) by
 * react-markdown with remark-gfm, which build React elements and never raw HTML: HTML in the text is shown
 * as text. Links open in a new tab (a click never leaves the page and its running turn); a link whose URL
 * react-markdown dropped as unsafe (`javascript:`, `data:`) is plain text; images are not loaded (a model's
 * answer could point the browser anywhere): they are shown as links.
 */
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  img: ({ src, alt }) =>
    typeof src === "string" && src !== "" ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        [image: {alt || src}]
      </a>
    ) : (
      <span>[image: {alt}]</span>
    ),
};

/** `text` as Markdown, safely. */
export function MarkdownText({ text }: { text: string }) {
  return (
    <div className="markdown">
      <Markdown remarkPlugins={[remarkGfm]} components={components}>
        {text}
      </Markdown>
    </div>
  );
}
