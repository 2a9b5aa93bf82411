/** An answer's text split into the reasoning a model wrote inline and the answer proper. */
export interface InlineReasoning {
  /** The answer without its inline reasoning and the whitespace around it ("" when it was all reasoning). */
  readonly answer: string;
  /** The reasoning removed (possibly ""), or `undefined` when the text had none. */
  readonly reasoning?: string;
}

const OPEN = "<think>";
const CLOSE = "</think>";
const LEADING_OPEN = /^\s*<think>/;
/** A closing tag that ends reasoning: last on its line (as models emit it), not quoted in code. */
const ENDING_CLOSE = /(?<!`)<\/think>(?=[ \t]*(?:\r?\n|$))/;

/**
 * Removes the reasoning a model wrote into its answer's text, in the forms a server passes through
 * when it does not separate reasoning itself (vLLM without `--reasoning-parser`, LM Studio without its
 * "separate reasoning_content and content" setting, llama.cpp's server with `--reasoning-format none`):
 *
 * - `<think>…</think>` at the start, after any whitespace and newlines (DeepSeek-R1-0528, Qwen3 up to
 *   the 2507 release), several blocks in a row included;
 * - `<think>` at the start that never closes: the token budget ran out while reasoning, so it is all
 *   reasoning and the answer is "";
 * - reasoning ended by a `</think>` that nothing opened: the chat template put `<think>` in the prompt,
 *   so the output starts mid-reasoning (DeepSeek-R1, QwQ, Qwen3-Thinking-2507, Qwen3.5); everything up
 *   to that `</think>` is reasoning, as vLLM's `deepseek_r1` and `qwen3` parsers read it. The tag
 *   must end its line and not be quoted in code, so an answer that mentions it is left alone.
 *
 * Only `<think>` is recognised: it is the tag those servers' reasoning parsers look for by default,
 * and none of them looks for `<thinking>`. Markers that are special tokens (Mistral's `[THINK]`, gpt-oss's
 * channels) need the server's own reasoning parser. Reasoning a server or client already separated
 * (`reasoning_content`, reasoning content blocks) is not in `message.text` at all.
 */
export function splitInlineReasoning(text: string): InlineReasoning {
  const blocks: string[] = [];
  let rest = text;
  for (let lead = LEADING_OPEN.exec(rest); lead !== null; lead = LEADING_OPEN.exec(rest)) {
    const body = rest.slice(lead[0].length);
    const end = body.indexOf(CLOSE);
    blocks.push(end === -1 ? body : body.slice(0, end));
    rest = end === -1 ? "" : body.slice(end + CLOSE.length);
  }
  if (blocks.length === 0) {
    const close = ENDING_CLOSE.exec(rest);
    if (close === null || rest.slice(0, close.index).includes(OPEN)) return { answer: text };
    blocks.push(rest.slice(0, close.index));
    rest = rest.slice(close.index + CLOSE.length);
  }
  return { answer: rest.trim() === "" ? "" : rest.trimStart(), reasoning: blocks.join("\n\n") };
}
